//! The Markdown tables the generator prints: relay runs, with each server's ratios to the
//! servers listed before it, and idle sockets.
use crate::stats::{kb, mb, ms, thousands, Relay};
use crate::{Args, Idle};

/// `rows[window][target]`: the relay run and the RSS per socket its own sockets cost.
pub fn print(args: &Args, idle: &[Idle], rows: &[Vec<(Relay, f64)>]) {
    if !rows.is_empty() {
        print_relay(args, idle, rows);
    }
    print_idle(args, idle);
}

fn print_relay(args: &Args, idle: &[Idle], rows: &[Vec<(Relay, f64)>]) {
    println!(
        "\nRelay: {} client pairs, {}-byte messages, measured {} s after {} s of warm-up. \
         RSS/conn: {}.\n",
        args.pairs,
        crate::wire::FRAME_BYTES,
        args.secs,
        args.warmup,
        if idle.is_empty() {
            "growth while the relay's sockets opened"
        } else {
            "from the idle run below"
        }
    );
    // A "vs" column for every target but the last: later rows are compared with it.
    let refs = &args.targets[..args.targets.len().saturating_sub(1)];
    let vs_head: String = refs.iter().map(|t| format!(" vs {} |", t.name)).collect();
    println!(
        "| server | window | msgs/s | p50 | p99 | p999 | RSS/conn | server CPU | msgs per server CPU-second |{vs_head}"
    );
    println!(
        "|---|---|---|---|---|---|---|---|---|{}",
        "---|".repeat(refs.len())
    );
    for (w, row) in rows.iter().enumerate() {
        for (i, (r, per_socket)) in row.iter().enumerate() {
            let rss = idle.get(i).map_or(*per_socket, Idle::per_socket);
            let vs: String = (0..refs.len())
                .map(|j| match row.get(j) {
                    Some((base, _)) if j < i => format!(
                        " {:.2}× msgs/s, {:.2}× p99 |",
                        r.msgs_per_sec / base.msgs_per_sec.max(1.0),
                        f64::from(r.p99_us) / f64::from(base.p99_us.max(1))
                    ),
                    _ => " — |".to_owned(),
                })
                .collect();
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {:.2} cores | {} |{vs}",
                args.targets[i].name,
                args.windows[w],
                thousands(r.msgs_per_sec),
                ms(r.p50_us),
                ms(r.p99_us),
                ms(r.p999_us),
                kb(rss),
                r.server_cores,
                thousands(r.per_server_cpu_sec()),
            );
        }
    }
}

fn print_idle(args: &Args, idle: &[Idle]) {
    if idle.is_empty() {
        return;
    }
    println!("\nIdle sockets (RSS of the server process):\n");
    println!("| server | sockets | RSS before | RSS with them open | per socket | RSS after they closed | open files limit |");
    println!("|---|---|---|---|---|---|---|");
    for (t, i) in args.targets.iter().zip(idle) {
        let sockets = if i.sockets < i.asked {
            format!(
                "{} of {}",
                thousands(i.sockets as f64),
                thousands(i.asked as f64)
            )
        } else {
            thousands(i.sockets as f64)
        };
        println!(
            "| {} | {sockets} | {} | {} | {} | {} | {} |",
            t.name,
            mb(i.before),
            mb(i.open),
            kb(i.per_socket()),
            mb(i.closed),
            i.fd_limit.map_or("?".into(), |l| thousands(l as f64)),
        );
    }
    for (t, i) in args.targets.iter().zip(idle) {
        if let Some(why) = &i.stopped {
            println!(
                "\n{}: opening stopped at {} sockets: {why}",
                t.name, i.sockets
            );
        }
    }
}

/// `runs[window][round][target]`: every round's msgs/s, and the last target's ratio to each of
/// the others in the same round (a machine drifts between rounds, less within one).
pub fn print_rounds(args: &Args, runs: &[Vec<Vec<(Relay, f64)>>]) {
    let Some((last, others)) = args.targets.split_last() else {
        return;
    };
    let names: String = args
        .targets
        .iter()
        .map(|t| format!(" {} |", t.name))
        .collect();
    let ratios: String = others
        .iter()
        .map(|t| format!(" {} vs {} |", last.name, t.name))
        .collect();
    println!("\nEach round (msgs/s; the table above has each server's median round):\n");
    println!("| window | round |{names}{ratios}");
    println!(
        "|---|---|{}",
        "---|".repeat(args.targets.len() + others.len())
    );
    for (w, rounds) in runs.iter().enumerate() {
        for (n, row) in rounds.iter().enumerate() {
            let rates: String = row
                .iter()
                .map(|(r, _)| format!(" {} |", thousands(r.msgs_per_sec)))
                .collect();
            let Some(((mine, _), rest)) = row.split_last() else {
                continue;
            };
            let vs: String = rest
                .iter()
                .map(|(r, _)| format!(" {:.2}× |", mine.msgs_per_sec / r.msgs_per_sec.max(1.0)))
                .collect();
            println!("| {} | {} |{rates}{vs}", args.windows[w], n + 1);
        }
    }
}
