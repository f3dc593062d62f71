//! What a review reads beside the incidents: each incident's kept samples
//! (`samples/incident-<id>.ron`, written when it recovers, closes, or the console exits), and
//! the incidents themselves read without moving anything aside, so a review can run beside a
//! console that holds the data dir.

use std::path::PathBuf;

use super::{INCIDENTS_FILE, OUTBOX_FILE, Store, StoreError};
use crate::model::{Incident, KeptSamples, Outbox};

impl Store {
    /// Where incident `id`'s kept samples are.
    pub fn samples_path(&self, id: u64) -> PathBuf {
        self.dir.join("samples").join(format!("incident-{id}.ron"))
    }

    /// Writes an incident's kept samples (atomically, owner-only, the folder made private).
    pub fn save_samples(&self, samples: &KeptSamples) -> Result<(), StoreError> {
        let dir = self.dir.join("samples");
        super::create_private_dir(&dir).map_err(|source| StoreError::Io {
            path: dir.clone(),
            source,
        })?;
        let name = format!("samples/incident-{}.ron", samples.incident);
        self.write(&name, samples)
    }

    /// Incident `id`'s kept samples; `None` when none were kept (not yet written, or a
    /// release before them).
    pub fn load_samples(&self, id: u64) -> Result<Option<KeptSamples>, StoreError> {
        self.read_only(self.samples_path(id))
    }

    /// The incidents as saved, upgraded as a restore would, without moving a bad file aside.
    pub fn peek_incidents(&self) -> Result<Vec<Incident>, StoreError> {
        let mut list: Vec<Incident> = self
            .read_only(self.dir.join(INCIDENTS_FILE))?
            .unwrap_or_default();
        for inc in &mut list {
            inc.upgrade();
        }
        Ok(list)
    }

    /// The outbox as saved, without moving a bad file aside.
    pub fn peek_outbox(&self) -> Result<Outbox, StoreError> {
        Ok(self
            .read_only(self.dir.join(OUTBOX_FILE))?
            .unwrap_or_default())
    }

    fn read_only<T: serde::de::DeserializeOwned>(
        &self,
        path: PathBuf,
    ) -> Result<Option<T>, StoreError> {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(StoreError::Io { path, source }),
        };
        ron::from_str(&text)
            .map(Some)
            .map_err(|e| StoreError::Decode {
                message: format!("{}:{}: {}", e.span.start.line, e.span.start.col, e.code),
                path,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::KeptSeries;

    #[test]
    fn kept_samples_read_back_and_a_bad_file_is_said_not_moved() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        assert!(store.load_samples(4).unwrap().is_none(), "none kept yet");
        let kept = KeptSamples {
            incident: 4,
            from: None,
            to: None,
            series: vec![KeptSeries {
                rule: "cpu_usage".into(),
                series: "node-1".into(),
                points: vec![(1_000, 0.5), (2_000, 0.9)],
            }],
        };
        store.save_samples(&kept).unwrap();
        assert_eq!(store.load_samples(4).unwrap(), Some(kept));
        std::fs::write(store.samples_path(5), "(incident: oops").unwrap();
        let err = store.load_samples(5).unwrap_err().to_string();
        assert!(err.contains("incident-5.ron:1:"), "{err}");
        assert!(store.samples_path(5).exists(), "left where it was");
    }
}
