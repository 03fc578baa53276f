//! Where media files are kept, under their SHA-256: a local directory (the default), or a bucket
//! of an S3-compatible object store, which several instances share.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};

use crate::config::Secret;

/// The settings of a bucket, from `SWITCHBOARD_MEDIA_STORE=s3://bucket/prefix` and the usual
/// `AWS_*` variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketSettings {
    pub bucket: String,
    /// Folder inside the bucket, without slashes around it; empty for the bucket's root.
    pub prefix: String,
    /// An S3-compatible server's address (MinIO, Garage, Ceph…); AWS itself when unset.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
}

impl BucketSettings {
    /// Reads `s3://bucket[/prefix]`; `None` when `url` is not an `s3://` URL.
    pub fn parse_url(url: &str) -> Option<Result<(String, String), String>> {
        let rest = url.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        Some(match valid_bucket {
            true => Ok((bucket.to_owned(), prefix.trim_matches('/').to_owned())),
            false => Err(format!(
                "{bucket:?} is not a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)"
            )),
        })
    }
}

#[derive(Clone)]
pub enum MediaStore {
    Directory(PathBuf),
    Bucket {
        objects: Arc<dyn ObjectStore>,
        /// `s3://bucket/prefix`, to name it in logs and messages (never the credentials).
        name: String,
        prefix: String,
    },
}

impl fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MediaStore::Directory(dir) => write!(f, "{}", dir.display()),
            MediaStore::Bucket { name, .. } => f.write_str(name),
        }
    }
}

/// A file's path under its SHA-256, fanned out so no directory grows too large.
pub fn path_for(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(&sha256[..2]).join(sha256)
}

impl MediaStore {
    /// A bucket client; it checks the settings, it does not reach the server yet.
    pub fn bucket(settings: &BucketSettings) -> Result<MediaStore, String> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if let (Some(key), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            builder = builder
                .with_access_key_id(key)
                .with_secret_access_key(secret.expose());
        }
        let objects = builder.build().map_err(|error| error.to_string())?;
        let name = match settings.prefix.as_str() {
            "" => format!("s3://{}", settings.bucket),
            prefix => format!("s3://{}/{prefix}", settings.bucket),
        };
        Ok(MediaStore::Bucket {
            objects: Arc::new(objects),
            name,
            prefix: settings.prefix.clone(),
        })
    }

    /// The local directory files are kept in, if that is where they are.
    pub fn directory(&self) -> Option<&Path> {
        match self {
            MediaStore::Directory(dir) => Some(dir),
            MediaStore::Bucket { .. } => None,
        }
    }

    fn object(prefix: &str, sha256: &str) -> ObjectPath {
        match prefix {
            "" => ObjectPath::from(format!("{}/{sha256}", &sha256[..2])),
            prefix => ObjectPath::from(format!("{prefix}/{}/{sha256}", &sha256[..2])),
        }
    }

    /// Keeps `bytes` under `sha256`, once: the same content is kept once. A reader never sees
    /// half a file (written aside and renamed; an object appears whole).
    pub async fn keep(&self, sha256: &str, bytes: &[u8]) -> io::Result<()> {
        match self {
            MediaStore::Directory(dir) => {
                let path = path_for(dir, sha256);
                if !path.exists() {
                    let parent = path.parent().expect("media paths have a parent");
                    tokio::fs::create_dir_all(parent).await?;
                    let partial =
                        parent.join(format!("{sha256}.{}.partial", rand::random::<u64>()));
                    tokio::fs::write(&partial, bytes).await?;
                    tokio::fs::rename(&partial, &path).await?;
                }
                Ok(())
            }
            MediaStore::Bucket {
                objects, prefix, ..
            } => {
                let object = Self::object(prefix, sha256);
                match objects.head(&object).await {
                    Ok(_) => Ok(()),
                    Err(object_store::Error::NotFound { .. }) => {
                        let payload = PutPayload::from(bytes.to_vec());
                        objects.put(&object, payload).await?;
                        Ok(())
                    }
                    Err(error) => Err(error.into()),
                }
            }
        }
    }

    /// The bytes kept under `sha256` (`NotFound` when there are none).
    pub async fn read(&self, sha256: &str) -> io::Result<Vec<u8>> {
        match self {
            MediaStore::Directory(dir) => tokio::fs::read(path_for(dir, sha256)).await,
            MediaStore::Bucket {
                objects, prefix, ..
            } => {
                let found = objects.get(&Self::object(prefix, sha256)).await?;
                Ok(found.bytes().await?.to_vec())
            }
        }
    }

    /// Removes what is kept under `sha256`; nothing kept is not an error.
    pub async fn remove(&self, sha256: &str) -> io::Result<()> {
        let removed = match self {
            MediaStore::Directory(dir) => tokio::fs::remove_file(path_for(dir, sha256)).await,
            MediaStore::Bucket {
                objects, prefix, ..
            } => objects
                .delete(&Self::object(prefix, sha256))
                .await
                .map_err(io::Error::from),
        };
        match removed {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_urls_name_a_bucket_and_an_optional_folder() {
        assert_eq!(
            BucketSettings::parse_url("s3://switchboard-media/org-1/"),
            Some(Ok(("switchboard-media".into(), "org-1".into())))
        );
        assert_eq!(
            BucketSettings::parse_url("s3://media"),
            Some(Ok(("media".into(), String::new())))
        );
        assert!(matches!(
            BucketSettings::parse_url("s3://Bad_Bucket"),
            Some(Err(_))
        ));
        assert_eq!(BucketSettings::parse_url("/var/lib/switchboard"), None);
    }

    #[test]
    fn files_fan_out_by_hash_prefix() {
        let path = path_for(Path::new("/media"), "abcdef");
        assert_eq!(path, Path::new("/media/ab/abcdef"));
        assert_eq!(
            MediaStore::object("org-1", "abcdef").as_ref(),
            "org-1/ab/abcdef"
        );
        assert_eq!(MediaStore::object("", "abcdef").as_ref(), "ab/abcdef");
    }

    #[tokio::test]
    async fn a_directory_keeps_each_content_once_and_forgets_it_on_removal() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::Directory(dir.path().to_path_buf());
        let sha = "ab".repeat(32);
        store.keep(&sha, b"picture").await.unwrap();
        store.keep(&sha, b"picture").await.unwrap();
        assert_eq!(store.read(&sha).await.unwrap(), b"picture");
        assert!(path_for(dir.path(), &sha).exists());
        store.remove(&sha).await.unwrap();
        store.remove(&sha).await.unwrap();
        assert_eq!(
            store.read(&sha).await.unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }
}
