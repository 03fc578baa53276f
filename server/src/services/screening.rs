//! What every webhook is read with while it is stored: the risk words (escalation) and the
//! erasure keyword (data requests) that inbound texts are checked against, and the prices that
//! cost a status's message (cost meter). All are settings, read for every webhook; they are
//! kept for a few seconds so a burst of webhooks reads them once. A change
//! made on this instance applies at once; another instance sees it within [`KEPT_FOR`].

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::error::AppError;

use super::Services;
use crate::domain::costs::Prices;
use crate::domain::data_requests::{MAX_KEYWORD_CHARS, RECEIVED_ANSWER, asks_for_erasure};
use crate::domain::escalation::RiskWords;

const KEPT_FOR: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
pub(crate) struct Screening {
    pub risk_words: RiskWords,
    erasure_keyword: String,
    pub prices: Prices,
}

impl Screening {
    /// The acknowledgement to queue when the whole text is the erasure keyword.
    pub fn erasure_answer(&self, kind: &str, text: &str) -> Option<String> {
        (kind == "text"
            && text.trim().chars().count() <= MAX_KEYWORD_CHARS
            && asks_for_erasure(text, &self.erasure_keyword))
        .then(|| RECEIVED_ANSWER.to_owned())
    }
}

/// The screening last read, and when.
type LastRead = Option<(Instant, Arc<Screening>)>;

#[derive(Clone, Default)]
pub(crate) struct ScreeningCache(Arc<Mutex<LastRead>>);

impl Services {
    pub(crate) async fn screening(&self) -> Result<Arc<Screening>, AppError> {
        if let Some((read_at, screening)) = self.screening.0.lock().unwrap().as_ref()
            && read_at.elapsed() < KEPT_FOR
        {
            return Ok(screening.clone());
        }
        let screening = Arc::new(Screening {
            risk_words: self.risk_words().await?,
            erasure_keyword: self.erasure_keyword().await?.keyword,
            prices: self.load_prices().await?,
        });
        *self.screening.0.lock().unwrap() = Some((Instant::now(), screening.clone()));
        Ok(screening)
    }

    /// Makes the next webhook read the settings again (one of them just changed).
    pub(crate) fn forget_screening(&self) {
        *self.screening.0.lock().unwrap() = None;
    }
}
