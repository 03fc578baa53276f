# Switchboard's container image: the release binary, the browser bundle and CA certificates on
# a Debian base, run as an unprivileged user. Nothing is compiled here: scripts/package.sh
# builds the release once and builds this from the files it stages (the build context holds
# `switchboard`, `site/` and `ca-certificates.crt`).
#
#   bash scripts/package.sh            # makes the .deb and localhost/switchboard:latest
#
# The base image is an argument, so that a locally made one can stand in where no registry
# is reachable (scripts/package-test.sh does that).
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim
FROM ${BASE_IMAGE}

COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY site /usr/share/switchboard/site
COPY switchboard /usr/bin/switchboard

# A fixed id, so a volume's files keep their owner across rebuilds.
RUN useradd --system --user-group --uid 10001 --home-dir /var/lib/switchboard --no-create-home \
        --shell /usr/sbin/nologin switchboard \
    && install -d -o switchboard -g switchboard -m 0750 /var/lib/switchboard

ENV DATABASE_URL=sqlite:///var/lib/switchboard/switchboard.db \
    SWITCHBOARD_ADDR=0.0.0.0:3000 \
    SWITCHBOARD_SITE_ROOT=/usr/share/switchboard/site \
    SWITCHBOARD_MEDIA_DIR=/var/lib/switchboard/media \
    SWITCHBOARD_SECRET_KEY_FILE=/var/lib/switchboard/secret.key \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt

VOLUME /var/lib/switchboard
WORKDIR /var/lib/switchboard
USER switchboard
EXPOSE 3000
ENTRYPOINT ["/usr/bin/switchboard"]
CMD ["serve"]
