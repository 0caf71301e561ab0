//! Where the client token lives between runs: a keychain on a phone, here a
//! file only its owner can read or write (mode 0600), replaced whole.

use std::io::Write;
use std::path::{Path, PathBuf};

pub struct Keychain {
    path: PathBuf,
}

impl Keychain {
    pub fn at(path: impl AsRef<Path>) -> Keychain {
        Keychain { path: path.as_ref().to_path_buf() }
    }

    /// The stored token, if any.
    pub fn load(&self) -> std::io::Result<Option<String>> {
        match std::fs::read_to_string(&self.path) {
            Ok(t) => Ok(Some(t.trim().to_string()).filter(|t| !t.is_empty())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Stores `token`: written to a new 0600 file beside it, then renamed
    /// over the old, so a crash never leaves half a token.
    pub fn save(&self, token: &str) -> std::io::Result<()> {
        let tmp = self.path.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            open.mode(0o600);
        }
        let mut f = open.open(&tmp)?;
        f.write_all(token.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &self.path)
    }

    /// Forgets the token (a new client next time).
    pub fn clear(&self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_token_file_is_the_owners_alone_and_replaced_whole() {
        let dir = std::env::temp_dir().join(format!("keychain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let k = Keychain::at(dir.join("token"));
        assert_eq!(k.load().unwrap(), None);
        k.save("ct_one").unwrap();
        k.save("ct_two").unwrap();
        assert_eq!(k.load().unwrap().as_deref(), Some("ct_two"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("token")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        k.clear().unwrap();
        assert_eq!(k.load().unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
