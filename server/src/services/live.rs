//! Live updates: changes are published here and pushed to every open browser. With PostgreSQL,
//! several instances may serve one organisation, so events go through `NOTIFY` and every
//! instance (the publishing one included) relays what it hears to its own browsers.

use std::sync::Arc;
use std::time::Duration;

use app::model::{LiveEvent, Permission};
use app::ports::{Actor, Credential};
use futures::{Stream, StreamExt};
use tokio::sync::{Notify, broadcast, watch};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::Services;
use super::inbox::may_see;
use crate::store::{Backend, Store};

/// The PostgreSQL channel events travel on.
pub const LIVE_CHANNEL: &str = "switchboard_live";

/// Events wait here for slow browsers; one that falls further behind reloads what it shows.
const BACKLOG: usize = 1024;

/// Provider activity is told at most this often: at hundreds of webhooks a second, one event
/// per webhook would cost a `NOTIFY` each and make every browser reload as often.
const ACTIVITY_EVERY: Duration = Duration::from_millis(250);

/// How often an open stream checks that its session and its person's access still hold. Changes
/// made on this instance are told at once ([`LiveHub::access_changed`]); this bounds how long a
/// stream outlives a change made on another instance, or its session's expiry.
const ACCESS_RECHECK: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct LiveHub {
    sender: broadcast::Sender<LiveEvent>,
    activity: Arc<Notify>,
    /// Ids of people whose sessions, role or active state just changed.
    access: broadcast::Sender<i64>,
    /// Set once this instance stops serving: a stream never ends by itself, so an open one
    /// would hold the stop up until the orchestrator kills the process.
    closing: Arc<watch::Sender<bool>>,
}

impl Default for LiveHub {
    fn default() -> Self {
        LiveHub {
            sender: broadcast::channel(BACKLOG).0,
            activity: Arc::default(),
            access: broadcast::channel(BACKLOG).0,
            closing: Arc::new(watch::channel(false).0),
        }
    }
}

impl LiveHub {
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.sender.subscribe()
    }

    /// How many live streams are open on this instance: each holds one subscription.
    pub fn open_streams(&self) -> usize {
        self.sender.receiver_count()
    }

    /// Tells every open browser, on every instance. Live updates are a convenience on top of
    /// what is stored, so a failure to publish is logged, never the caller's failure.
    pub async fn publish(&self, store: &Store, event: LiveEvent) {
        match store.backend() {
            Backend::Sqlite => self.relay(event),
            Backend::Postgres => {
                let payload = serde_json::to_string(&event).expect("live events serialise");
                if let Err(error) = store.notify(LIVE_CHANNEL, &payload).await {
                    tracing::warn!(%error, "could not publish a live update");
                }
            }
        }
    }

    /// Tells this instance's open streams of the person to check whether they may stay open.
    pub fn access_changed(&self, person_id: i64) {
        let _ = self.access.send(person_id);
    }

    /// Ends this instance's open streams, and those opened from now on: it is stopping.
    /// Browsers reconnect by themselves, to another instance if there is one.
    pub fn close_streams(&self) {
        self.closing.send_replace(true);
    }

    /// Notes that messages arrived or delivery statuses changed; told in batches by
    /// [`LiveHub::tell_activity`].
    pub fn activity(&self) {
        self.activity.notify_one();
    }

    /// Publishes [`LiveEvent::Activity`] whenever there was some, at most every
    /// [`ACTIVITY_EVERY`], until the process ends.
    pub async fn tell_activity(self, store: Store) {
        loop {
            self.activity.notified().await;
            self.publish(&store, LiveEvent::Activity).await;
            tokio::time::sleep(ACTIVITY_EVERY).await;
        }
    }

    /// Hands an event to this instance's browsers. No browser open is not an error.
    pub fn relay(&self, event: LiveEvent) {
        let _ = self.sender.send(event);
    }

    /// Relays what other instances (and this one) publish on PostgreSQL, until the process ends.
    /// The listener reconnects by itself after a lost connection.
    pub async fn relay_postgres(self, database_url: String) {
        let mut listener = match sqlx::postgres::PgListener::connect(&database_url).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::error!(%error, "live updates are off: cannot listen on PostgreSQL");
                return;
            }
        };
        if let Err(error) = listener.listen(LIVE_CHANNEL).await {
            tracing::error!(%error, "live updates are off: LISTEN failed");
            return;
        }
        loop {
            match listener.recv().await {
                Ok(notification) => match serde_json::from_str(notification.payload()) {
                    Ok(event) => self.relay(event),
                    Err(error) => tracing::warn!(%error, "ignoring an unreadable live update"),
                },
                Err(error) => {
                    tracing::warn!(%error, "live update listener interrupted");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    }
}

impl Services {
    /// What one person's open browser is told. An urgent alert reaches coordinators and admins.
    /// A mention reaches only the person mentioned, and
    /// a person passing a wellbeing limit only themselves and coordinators and admins, and
    /// only as activity where they may not see the conversation;
    /// who is viewing or typing is told only where the person may see the conversation; a
    /// change to a conversation they may not see (one just assigned away from them, say) only
    /// says that something changed, so its id and its people stay with those who may see it.
    ///
    /// The stream ends when its session ends (signed out, expired, ended by a password change),
    /// or when the person is deactivated or their role changes: what they were allowed to see
    /// was decided with the access they had when it opened. It also ends when the instance
    /// stops.
    pub fn live_events_for(&self, actor: Actor) -> impl Stream<Item = LiveEvent> + Send + use<> {
        let access_ended = self
            .clone()
            .access_ends(actor.clone(), self.live.access.subscribe());
        let mut closing = self.live.closing.subscribe();
        let ended = async move {
            tokio::select! {
                () = access_ended => {}
                _ = closing.wait_for(|closing| *closing) => {}
            }
        };
        let services = self.clone();
        BroadcastStream::new(self.live.subscribe())
            .filter_map(move |event| {
                let services = services.clone();
                let actor = actor.clone();
                async move {
                    match event {
                        Ok(event) => services.live_event_for(&actor, event).await,
                        // Events were missed: reloading what the page shows catches up.
                        Err(BroadcastStreamRecvError::Lagged(_)) => Some(LiveEvent::Activity),
                    }
                }
            })
            .take_until(ended)
    }

    /// Returns once `actor` may no longer listen.
    async fn access_ends(self, actor: Actor, mut changes: broadcast::Receiver<i64>) {
        let mut every = tokio::time::interval(ACCESS_RECHECK);
        every.tick().await;
        self.note_presence(actor.id, None).await;
        loop {
            tokio::select! {
                _ = every.tick() => {}
                change = changes.recv() => match change {
                    Ok(person_id) if person_id != actor.id => continue,
                    // Ours, or missed changes: check.
                    _ => {}
                },
            }
            if !self.may_keep_listening(&actor).await {
                return;
            }
            // An open stream is someone online, for the Supervision board.
            self.note_presence(actor.id, None).await;
        }
    }

    /// Whether the stream's session still exists and its person is active with the same role.
    /// A failing database keeps the stream open: it is checked again soon.
    async fn may_keep_listening(&self, actor: &Actor) -> bool {
        if let Credential::Session { id, .. } = &actor.credential {
            match self.store.session_exists(id).await {
                Ok(true) => {}
                Ok(false) => return false,
                Err(error) => {
                    tracing::warn!(%error, "could not check a live stream's session");
                    return true;
                }
            }
        }
        match self.actor_by_id(actor.id).await {
            Ok(Some(current)) => current.role == actor.role,
            Ok(None) => false,
            Err(_) => true,
        }
    }

    async fn live_event_for(&self, actor: &Actor, event: LiveEvent) -> Option<LiveEvent> {
        match event {
            LiveEvent::Mention { person_id, .. } if person_id != actor.id => None,
            LiveEvent::TakenOver { person_id, .. } if person_id != actor.id => None,
            // Mentioned in a conversation they may not open (assigned to someone else): they
            // learn that something changed, not where or by whom.
            LiveEvent::Mention {
                conversation_id, ..
            } if !self.sees_live(actor, conversation_id).await => Some(LiveEvent::Activity),
            LiveEvent::Conversation { id } if !self.sees_live(actor, id).await => {
                Some(LiveEvent::Activity)
            }
            LiveEvent::Presence {
                conversation_id, ..
            } if !self.sees_live(actor, conversation_id).await => None,
            // The alert is for the people who handle urgent conversations; others only see
            // their list change.
            LiveEvent::Urgent {
                conversation_id, ..
            } if !actor.role.can(Permission::EscalateConversations) => {
                Some(if self.sees_live(actor, conversation_id).await {
                    LiveEvent::Conversation {
                        id: conversation_id,
                    }
                } else {
                    LiveEvent::Activity
                })
            }
            // Someone's time answering is theirs and their coordinators' business.
            LiveEvent::OverLimit { person_id, .. }
                if person_id != actor.id && !actor.role.can(Permission::SeeAllConversations) =>
            {
                None
            }
            event => Some(event),
        }
    }

    /// Live updates are a convenience: a conversation that cannot be read now is not told.
    async fn sees_live(&self, actor: &Actor, conversation_id: i64) -> bool {
        if actor.role.can(Permission::SeeAllConversations) {
            return true;
        }
        let access_cutoff = match self.access_cutoff(actor).await {
            Ok(cutoff) => cutoff,
            Err(_) => return false,
        };
        match self.store.conversation(conversation_id).await {
            Ok(Some(row)) => may_see(actor, &row, access_cutoff),
            Ok(None) => false,
            Err(error) => {
                tracing::warn!(%error, "could not check who may see a live update");
                false
            }
        }
    }
}
