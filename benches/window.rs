//! The outbox screen with 100,000 queued messages: time to the first frame and to the first
//! frame showing the table, frame times while scrolling it (egui layout plus tessellation,
//! the UI thread's whole share of a frame), and the process's peak memory. The same is run
//! with 5,000 messages in the same process, side by side, to show that frame cost does not
//! grow with the queue (5,000 rows are the fewest that keep scrolling for all the frames, so
//! both runs lay out new rows every frame). Then the real binary opens on the 100,000
//! messages in Xvfb (software OpenGL): the time from start to the first drawn frame and its
//! peak memory. Run with `cargo bench --bench window` (Xvfb and xwd from `scripts/test`).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant, SystemTime};

use egui_kittest::Harness;
use outpost::account::Security;
use outpost::clock::now_ms;
use outpost::message::{self, Draft};
use outpost::net::NetConfig;
use outpost::outbox::Outbox;
use outpost::outbox::store::RetryKind;
use outpost::paths::Paths;
use outpost::runtime::Core;
use outpost::ui::{OutpostApp, Remembered, View};

const SCROLL_FRAMES: usize = 400;
/// The comparison queue: enough rows to scroll 240 points a frame for every frame.
const SMALL: usize = 5_000;

/// An outbox of `n` messages from one paused account (so nothing is sent while measuring):
/// mostly waiting, every 10th sent, every 17th refused with the server's words.
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
        .pause(account.id.as_str(), "paused for the benchmark")
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
                if id % 10 == 0 {
                    o.mark_sent(id, "250 2.0.0 Ok: queued as 4XyZ", Some("4XyZ"))?;
                } else if id % 17 == 0 {
                    o.mark_failed(
                        id,
                        "550 5.1.1 <reader@example.net>: Recipient address rejected",
                    )?;
                } else if id % 3 == 0 {
                    o.mark_retry(
                        id,
                        now_ms() + 3_600_000,
                        "451 4.7.1 Greylisted, try again later",
                        RetryKind::Counted,
                    )?;
                }
            }
            Ok(())
        })
        .unwrap();
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

/// Peak resident memory of process `pid` (Linux `VmHWM`), in MiB.
fn peak_rss_of(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The real binary on the outbox in `home`, opening on the outbox screen.
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
    let x = support::xvfb::Xvfb::start(7);
    let started = Instant::now();
    let app = support::xvfb::Killed(
        Command::new(env!("CARGO_BIN_EXE_outpost"))
            .env("DISPLAY", &x.display)
            .env_remove("WAYLAND_DISPLAY")
            .env("OUTPOST_HOME", home)
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
    // Let it read and show the queue, then read its peak memory.
    std::thread::sleep(Duration::from_secs(3));
    println!(
        "real window (Xvfb, software OpenGL), 100000 messages: first frame on screen after {}, \
         peak RSS {:.0} MiB",
        ms(first),
        peak_rss_of(app.0.id())
    );
}
