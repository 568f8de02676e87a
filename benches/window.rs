//! The outbox screen with 100,000 queued messages: time to the first frame and to the first
//! frame showing the table, frame times while scrolling it (egui layout plus tessellation,
//! the UI thread's whole share of a frame), and the process's peak memory. The same is run
//! with 5,000 messages in the same process, side by side, to show that frame cost does not
//! grow with the queue (5,000 rows are the fewest that keep scrolling for all the frames, so
//! both runs lay out new rows every frame). Then the real binary opens on the 100,000
//! messages in Xvfb (software OpenGL): the time from start to the first drawn frame and its
//! peak memory. Run with `cargo bench --bench window` (Xvfb and xwd from `scripts/test`).

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant, SystemTime};

use egui_kittest::Harness;
use outpost::account::Security;
use outpost::clock::now_ms;
use outpost::message::{self, Draft};
use outpost::net::NetConfig;
use outpost::outbox::Outbox;
use outpost::outbox::history::Cause;
use outpost::outbox::store::RetryKind;
use outpost::paths::Paths;
use outpost::runtime::Core;
use outpost::ui::{OutpostApp, Remembered, View};

const SCROLL_FRAMES: usize = 400;
/// The comparison queue: enough rows to scroll 240 points a frame for every frame.
const SMALL: usize = 5_000;

/// An outbox of `n` messages from one paused account (so nothing is sent while measuring):
/// mostly waiting, every 10th sent, every 17th refused with the server's words; the newest
/// is due again in 9½ minutes (its countdown shows seconds).
fn fill(paths: &Paths, n: usize) {
    let account = support::account_without_login(
        paths,
        "bench@example.org",
        "smtp.example.org",
        587,
        Security::Starttls,
    );
    let mut outbox = Outbox::open(&paths.outbox_file()).unwrap();
    outbox
        .pause(
            account.id.as_str(),
            &Cause::Said {
                text: "paused for the benchmark".into(),
            },
        )
        .unwrap();
    let from = message::parse_address("From", &account.email).unwrap();
    for i in 0..n {
        let to = format!("reader{i}@example.net");
        let draft = Draft {
            from: account.email.clone(),
            to: vec![to.clone()],
            subject: format!("Weekly report {i}"),
            body: "Numbers attached.\n".repeat(20),
            ..Default::default()
        };
        let composed =
            message::compose(&draft, SystemTime::now(), &message::new_message_id(&from)).unwrap();
        outbox
            .enqueue(account.id.as_str(), &composed, &to, &draft.subject)
            .unwrap();
    }
    outbox
        .batch(|o| {
            for id in 1..=n as i64 {
                if id == n as i64 {
                    // The newest, at the top: a countdown in seconds, ticking while measured.
                    o.mark_retry(
                        id,
                        now_ms() + 570_000,
                        &reply("421 4.7.0 Try again later, closing connection"),
                        RetryKind::Counted,
                    )?;
                } else if id % 10 == 0 {
                    o.mark_sent(id, "250 2.0.0 Ok: queued as 4XyZ", Some("4XyZ"))?;
                } else if id % 17 == 0 {
                    o.mark_failed(
                        id,
                        &reply("550 5.1.1 <reader@example.net>: Recipient address rejected"),
                        None,
                    )?;
                } else if id % 3 == 0 {
                    o.mark_retry(
                        id,
                        now_ms() + 3_600_000,
                        &reply("451 4.7.1 Greylisted, try again later"),
                        RetryKind::Counted,
                    )?;
                }
            }
            Ok(())
        })
        .unwrap();
}

fn reply(text: &str) -> Cause {
    Cause::Reply { reply: text.into() }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Peak resident memory of this process so far (Linux `VmHWM`), in MiB.
fn peak_rss_mib() -> f64 {
    peak_rss_of(std::process::id())
}

/// One frame: egui's layout, then tessellation as the renderer would ask for it.
fn frame(harness: &mut Harness<'_, OutpostApp>) -> Duration {
    let start = Instant::now();
    harness.step();
    let out = harness.output();
    let _meshes = harness
        .ctx
        .tessellate(out.shapes.clone(), out.pixels_per_point);
    start.elapsed()
}

struct Figures {
    first_frame: Duration,
    table_shown: Duration,
    p50: Duration,
    p95: Duration,
    max: Duration,
}

fn measure(n: usize, home: &std::path::Path) -> Figures {
    let paths = Paths::under(home);
    let setup = Instant::now();
    fill(&paths, n);
    eprintln!(
        "  {n} messages queued in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let core = Core::start(&paths, Ok(NetConfig::default()), || {});
    let remembered = Remembered {
        view: View::Outbox,
        ..Default::default()
    };
    let mut harness = Harness::builder()
        .with_size([1100.0, 760.0])
        .build_ui_state(
            |ui, app: &mut OutpostApp| app.show(ui),
            OutpostApp::restore(core, remembered),
        );
    let first_frame = started.elapsed();
    let all = format!("All ({n})");
    let table_shown = loop {
        frame(&mut harness);
        if egui_kittest::kittest::Queryable::query_by_label(&harness, &all).is_some()
            && egui_kittest::kittest::Queryable::query_by_label(
                &harness,
                &format!("Weekly report {}", n - 1),
            )
            .is_some()
        {
            break started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no table");
        std::thread::sleep(Duration::from_millis(1));
    };

    harness.hover_at(egui::pos2(600.0, 400.0));
    let mut times = Vec::with_capacity(SCROLL_FRAMES);
    for _ in 0..SCROLL_FRAMES {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -240.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        });
        times.push(frame(&mut harness));
    }
    // The view really moved: the newest message scrolled out of sight.
    assert!(
        egui_kittest::kittest::Queryable::query_by_label(
            &harness,
            &format!("Weekly report {}", n - 1)
        )
        .is_none(),
        "the table did not scroll"
    );
    times.sort_unstable();
    Figures {
        first_frame,
        table_shown,
        p50: support::percentile(&times, 0.5),
        p95: support::percentile(&times, 0.95),
        max: *times.last().unwrap(),
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    caret_side_by_side();
    if std::env::args().any(|a| a == "caret") {
        return;
    }
    eprintln!("outbox screen, {SCROLL_FRAMES} frames of wheel scrolling each:");
    let small = measure(SMALL, tempfile::tempdir().unwrap().path());
    let rss_small = peak_rss_mib();
    let home = tempfile::tempdir().unwrap();
    let big = measure(100_000, home.path());
    let rss_big = peak_rss_mib();
    println!(
        "| messages | first frame | table shown | scroll p50 | scroll p95 | scroll max | peak RSS |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for (n, f, rss) in [(SMALL, &small, rss_small), (100_000, &big, rss_big)] {
        println!(
            "| {n} | {} | {} | {} | {} | {} | {rss:.0} MiB |",
            ms(f.first_frame),
            ms(f.table_shown),
            ms(f.p50),
            ms(f.p95),
            ms(f.max)
        );
    }
    println!(
        "p95 frame ratio 100,000 / {SMALL}: {:.2}",
        big.p95.as_secs_f64() / small.p95.as_secs_f64()
    );
    real_window(home.path());
}

/// The caret in Write, as the desktop sets it in GTK's `settings.ini`: blinking without end
/// (a 1 s cycle, as egui blinks by default: the window before issue 30) and GNOME's defaults
/// (a 1.2 s cycle, stopping 10 s after the last key), side by side, alternating, three
/// rounds, in Xvfb with software OpenGL: the CPU share while it blinks (the first 8 s after
/// a key) and once idle (20 s, from 12 s after the key).
fn caret_side_by_side() {
    if std::process::Command::new("Xvfb")
        .arg("-help")
        .output()
        .is_err()
    {
        println!("(Xvfb not installed: the caret was not measured)");
        return;
    }
    let sides = [
        (
            "blinks without end",
            "[Settings]\ngtk-cursor-blink-time=1000\ngtk-cursor-blink-timeout=3600\n",
        ),
        ("GNOME's defaults", "[Settings]\n"),
    ];
    let mut figures: Vec<Vec<(f64, f64)>> = vec![vec![]; sides.len()];
    for round in 1..=3 {
        for (i, (name, settings)) in sides.iter().enumerate() {
            let (blinking, idle) = caret_idle(settings);
            println!(
                "caret round {round}, {name}: {:.2} % of a core while blinking, {:.2} % idle",
                blinking * 100.0,
                idle * 100.0
            );
            figures[i].push((blinking, idle));
        }
    }
    println!("| caret in Write | while blinking (median) | idle after 12 s (median) |");
    println!("|---|---:|---:|");
    for ((name, _), f) in sides.iter().zip(&figures) {
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        println!(
            "| {name} | {:.2} % | {:.2} % |",
            median(f.iter().map(|x| x.0).collect()) * 100.0,
            median(f.iter().map(|x| x.1).collect()) * 100.0
        );
    }
}

/// One side of [`caret_side_by_side`]: the window opened on Write (the caret in To), a key
/// typed, then the CPU share of the first 8 s and of 20 s from 12 s on.
fn caret_idle(gtk_settings: &str) -> (f64, f64) {
    use std::process::{Command, Stdio};
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    std::fs::create_dir_all(config.join("gtk-3.0")).unwrap();
    std::fs::write(config.join("gtk-3.0/settings.ini"), gtk_settings).unwrap();
    let paths = Paths::under(home.path());
    support::account_without_login(
        &paths,
        "bench@example.org",
        "smtp.example.org",
        587,
        Security::Starttls,
    );
    std::fs::create_dir_all(&paths.data_dir).unwrap();
    std::fs::write(
        paths.data_dir.join("window.ron"),
        r#"{"app": "(view:Compose)"}"#,
    )
    .unwrap();
    let x = support::xvfb::Xvfb::start(8);
    let started = Instant::now();
    let app = support::Killed(
        Command::new(env!("CARGO_BIN_EXE_outpost"))
            .env("DISPLAY", &x.display)
            .env_remove("WAYLAND_DISPLAY")
            .env("OUTPOST_HOME", home.path())
            .env("XDG_CONFIG_HOME", &config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    while x.drawn().is_none() {
        assert!(started.elapsed() < Duration::from_secs(30), "nothing drawn");
    }
    std::thread::sleep(Duration::from_secs(2));
    let window = x.outpost_window();
    x.xdotool(&["windowfocus", "--sync", &window]);
    x.xdotool(&["type", "--window", &window, "a"]);
    let pid = app.0.id();
    let cpu = cpu_seconds(pid);
    std::thread::sleep(Duration::from_secs(8));
    let blinking = (cpu_seconds(pid) - cpu) / 8.0;
    std::thread::sleep(Duration::from_secs(4));
    let cpu = cpu_seconds(pid);
    std::thread::sleep(Duration::from_secs(20));
    let idle = (cpu_seconds(pid) - cpu) / 20.0;
    (blinking, idle)
}

/// Peak resident memory of process `pid` (Linux `VmHWM`), in MiB.
fn peak_rss_of(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The real binary on the outbox in `home`, opening on the outbox screen, under Xvfb (Mesa's
/// software OpenGL through glow): the first frame on screen, the cost of sitting idle, frames
/// while scrolling with the mouse wheel (xdotool) as eframe times them (the window's code,
/// tessellation and painting), and the peak memory of the live process.
fn real_window(home: &std::path::Path) {
    use std::process::{Command, Stdio};
    if Command::new("Xvfb").arg("-help").output().is_err() {
        println!("(Xvfb not installed: the real window was not measured)");
        return;
    }
    // eframe's storage: a RON map of strings; the window's own entry names its screen.
    std::fs::write(
        Paths::under(home).data_dir.join("window.ron"),
        r#"{"app": "(view:Outbox)"}"#,
    )
    .unwrap();
    let log = home.join("frames.tsv");
    let x = support::xvfb::Xvfb::start(7);
    let started = Instant::now();
    let mut app = support::Killed(
        Command::new(env!("CARGO_BIN_EXE_outpost"))
            .env("DISPLAY", &x.display)
            .env_remove("WAYLAND_DISPLAY")
            .env("OUTPOST_HOME", home)
            .env("OUTPOST_FRAME_LOG", &log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let first = loop {
        if x.drawn().is_some() {
            break started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "nothing drawn");
    };
    let pid = app.0.id();
    let mut alive = || {
        assert!(
            app.0.try_wait().unwrap().is_none(),
            "the window exited while being measured"
        );
    };
    // The table at the top with every row read.
    let frames = || Frame::read(&log);
    while !frames()
        .last()
        .is_some_and(|f| f.first_row == Some(0) && f.placeholders == Some(0))
    {
        assert!(started.elapsed() < Duration::from_secs(60), "no rows shown");
        std::thread::sleep(Duration::from_millis(50));
    }
    let rows_shown = started.elapsed();
    std::thread::sleep(Duration::from_secs(1));

    // Idle: nothing happens for 20 s but the newest message's countdown, once a second.
    let idle = Duration::from_secs(20);
    let (cpu, drawn) = (cpu_seconds(pid), frames().len());
    std::thread::sleep(idle);
    alive();
    let idle_cpu = (cpu_seconds(pid) - cpu) / idle.as_secs_f64();
    let idle_frames = (frames().len() - drawn) as f64 / idle.as_secs_f64();

    // Scrolling: wheel clicks on the table, as a person would.
    let window = x.outpost_window();
    x.xdotool(&["mousemove", "--window", &window, "450", "300"]);
    let before = frames().len();
    x.xdotool(&["click", "--repeat", "300", "--delay", "25", "5"]);
    // Until the smooth scrolling has come to rest.
    let mut seen = frames().len();
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = frames().len();
        if now == seen {
            break;
        }
        seen = now;
    }
    alive();
    let peak = peak_rss_of(pid);
    let all = frames();
    let scroll = &all[before.saturating_sub(1)..];
    // A frame scrolled when the table's offset moved since the frame before; its time is
    // reported on the next line (eframe measures a frame once it is painted).
    let mut times = Vec::new();
    let mut with_placeholders = 0;
    for w in scroll.windows(3) {
        let (prev, this, next) = (&w[0], &w[1], &w[2]);
        if this.offset.is_none() || this.offset == prev.offset {
            continue;
        }
        if this.placeholders.unwrap_or(0) > 0 {
            with_placeholders += 1;
        }
        if let Some(ms) = next.previous_ms {
            times.push(Duration::from_secs_f64(ms / 1000.0));
        }
    }
    let still = scroll.len().saturating_sub(times.len() + 2);
    assert!(
        times.len() >= 100,
        "the table did not scroll: {} frames moved",
        times.len()
    );
    let last_row = scroll.last().and_then(|f| f.first_row).unwrap_or(0);
    times.sort_unstable();
    println!(
        "real window (Xvfb, software OpenGL), 100000 messages: first frame on screen after {}, \
         rows shown after {}, peak RSS {:.0} MiB (live process)",
        ms(first),
        ms(rows_shown),
        peak
    );
    println!(
        "  idle on the outbox for {} s: {:.2} % of a core, {idle_frames:.1} frames/s",
        idle.as_secs(),
        idle_cpu * 100.0
    );
    println!(
        "  300 wheel clicks: {} frames scrolled (to row {last_row}), {still} frames did not \
         move; frame time p50 {}, p95 {}, max {}; {with_placeholders} scrolled frames showed \
         rows not read yet",
        times.len(),
        ms(support::percentile(&times, 0.5)),
        ms(support::percentile(&times, 0.95)),
        ms(*times.last().unwrap()),
    );
}

/// A line of the window's frame log (see `OUTPOST_FRAME_LOG`).
struct Frame {
    /// The time the frame before took.
    previous_ms: Option<f64>,
    /// The table's scroll offset, when it was shown.
    offset: Option<f64>,
    first_row: Option<usize>,
    placeholders: Option<usize>,
}

impl Frame {
    /// Every complete line of the log at `path`.
    fn read(path: &std::path::Path) -> Vec<Frame> {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f.len() == 4).then(|| Frame {
                    previous_ms: f[0].parse().ok(),
                    offset: f[1].parse().ok(),
                    first_row: f[2].parse().ok(),
                    placeholders: f[3].parse().ok(),
                })
            })
            .collect()
    }
}

/// CPU time process `pid` has used (user and system), in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the window runs");
    // After the command name in parentheses: state is field 3; utime and stime 14 and 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    let per_second: f64 = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0);
    ticks / per_second
}
