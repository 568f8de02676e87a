//! One window per data folder. The first window listens on a socket in the data folder; a
//! second start connects, hands over what it was asked (show the window, or compose a
//! `mailto:` link), waits for the first window's "ok" and exits — so there is never a second
//! worker on the same queue. A socket left by a window that died is noticed (nobody answers)
//! and replaced. On platforms without Unix sockets every start opens its own window.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use crate::paths::Paths;

/// What a start asks of the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Bring the window forward.
    Show,
    /// Open compose with this `mailto:` link (also brings the window forward).
    Compose(String),
}

impl Request {
    fn to_line(&self) -> String {
        match self {
            Request::Show => "show\n".into(),
            // A link has no line breaks (they are %-encoded); strip any to keep one line.
            Request::Compose(link) => format!("mailto {}\n", link.replace(['\r', '\n'], "")),
        }
    }

    fn from_line(line: &str) -> Option<Self> {
        let line = line.trim_end_matches(['\r', '\n']);
        match line.split_once(' ') {
            None if line == "show" => Some(Request::Show),
            Some(("mailto", link)) => Some(Request::Compose(link.to_string())),
            _ => None,
        }
    }
}

/// Why the window could not take its place.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    /// The socket could not be created.
    #[error("{}", tr!(
        "instance-listen",
        path = .path.display().to_string(),
        error = .source.to_string()
    ))]
    Listen {
        /// The socket's path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The outcome of [`claim`].
pub enum Claim {
    /// This start is the window; it must serve requests from later starts.
    First(Listener),
    /// A running window took the request; this start should exit.
    HandedOver,
}

fn socket(paths: &Paths) -> PathBuf {
    paths.data_dir.join("window.sock")
}

/// The longest request line read (a long `mailto:` body fits; a flood does not).
const MAX_LINE: u64 = 256 * 1024;

/// Becomes the window for `paths`, or hands `request` to the window that already is.
#[cfg_attr(not(unix), expect(unused_variables))]
pub fn claim(paths: &Paths, request: &Request) -> Result<Claim, InstanceError> {
    #[cfg(unix)]
    {
        use std::os::unix::net::{UnixListener, UnixStream};
        let path = socket(paths);
        for _ in 0..3 {
            if let Ok(stream) = UnixStream::connect(&path)
                && hand_over(stream, request)
            {
                return Ok(Claim::HandedOver);
            }
            // Nobody answered: whatever is there is left over. Take the place.
            let listen_err = |source| InstanceError::Listen {
                path: path.clone(),
                source,
            };
            crate::paths::create_private_dir(&paths.data_dir).map_err(listen_err)?;
            // What is there is left over (nobody answered on it); none is as good.
            std::fs::remove_file(&path).ok();
            match UnixListener::bind(&path) {
                Ok(listener) => return Ok(Claim::First(Listener { listener })),
                // Another start bound it between our two steps: ask it instead.
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
                Err(e) => return Err(listen_err(e)),
            }
        }
        Err(InstanceError::Listen {
            path,
            source: std::io::Error::other("another Outpost keeps starting at the same time"),
        })
    }
    #[cfg(not(unix))]
    Ok(Claim::First(Listener {}))
}

#[cfg(unix)]
fn hand_over(mut stream: std::os::unix::net::UnixStream, request: &Request) -> bool {
    let timeout = Some(Duration::from_secs(3));
    if stream.set_read_timeout(timeout).is_err() || stream.set_write_timeout(timeout).is_err() {
        return false;
    }
    if stream.write_all(request.to_line().as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer).is_ok() && answer.trim() == "ok"
}

/// The first window's end of the socket.
pub struct Listener {
    #[cfg(unix)]
    listener: std::os::unix::net::UnixListener,
}

impl Listener {
    /// Answers later starts on a thread of its own, passing each request to `on_request`.
    #[cfg_attr(not(unix), expect(unused_variables))]
    pub fn serve(self, on_request: impl Fn(Request) + Send + 'static) {
        // Without the thread (the system gives none), a later start waits for an answer in
        // vain and says so: nothing else depends on it.
        #[cfg(unix)]
        let _listening = std::thread::Builder::new()
            .name("outpost-instance".into())
            .spawn(move || {
                for stream in self.listener.incoming().flatten() {
                    if stream
                        .set_read_timeout(Some(Duration::from_secs(3)))
                        .is_err()
                    {
                        continue;
                    }
                    let mut line = String::new();
                    let mut reader = BufReader::new((&stream).take(MAX_LINE));
                    if reader.read_line(&mut line).is_err() {
                        continue;
                    }
                    if let Some(request) = Request::from_line(&line) {
                        on_request(request);
                        // A start that gave up waiting still got its request done.
                        (&stream).write_all(b"ok\n").ok();
                    }
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_second_start_hands_its_request_to_the_first() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        let Ok(Claim::First(listener)) = claim(&paths, &Request::Show) else {
            panic!("the first start is the window");
        };
        let (tx, rx) = mpsc::channel();
        listener.serve(move |r| tx.send(r).unwrap());
        let link = "mailto:bob@example.net?subject=Hi%20there";
        assert!(matches!(
            claim(&paths, &Request::Compose(link.into())),
            Ok(Claim::HandedOver)
        ));
        assert_eq!(rx.recv().unwrap(), Request::Compose(link.into()));
        assert!(matches!(
            claim(&paths, &Request::Show),
            Ok(Claim::HandedOver)
        ));
        assert_eq!(rx.recv().unwrap(), Request::Show);
    }

    #[test]
    fn a_socket_left_by_a_dead_window_is_replaced() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        std::fs::create_dir_all(&paths.data_dir).unwrap();
        // Bound and dropped: the file stays, nobody listens.
        drop(std::os::unix::net::UnixListener::bind(socket(&paths)).unwrap());
        assert!(socket(&paths).exists());
        assert!(matches!(claim(&paths, &Request::Show), Ok(Claim::First(_))));
    }

    #[test]
    fn request_lines_round_trip_and_junk_is_ignored() {
        for r in [
            Request::Show,
            Request::Compose("mailto:a@b.example?body=x".into()),
        ] {
            assert_eq!(Request::from_line(&r.to_line()), Some(r));
        }
        assert_eq!(Request::from_line("rm -rf /\n"), None);
    }
}
