//! A bordered table (RESULT | FILE | NAMESPACE | MESSAGE), as conftest's `-o table`.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut rows: Vec<[String; 4]> = Vec::new();
    for r in &report.results {
        for (label, findings) in [
            ("failure", &r.failures),
            ("warning", &r.warnings),
            ("exception", &r.exceptions),
        ] {
            for f in findings {
                let msg = match f.line {
                    Some(l) => format!("{} (line {l})", f.msg),
                    None => f.msg.clone(),
                };
                rows.push([label.into(), r.filename.clone(), r.namespace.clone(), msg]);
            }
        }
        for _ in 0..r.successes {
            rows.push([
                "success".into(),
                r.filename.clone(),
                r.namespace.clone(),
                String::new(),
            ]);
        }
    }
    for e in &report.errors {
        rows.push([
            "error".into(),
            e.filename.clone(),
            String::new(),
            e.message.replace('\n', " "),
        ]);
    }
    let header = ["RESULT", "FILE", "NAMESPACE", "MESSAGE"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let border: String = widths
        .iter()
        .map(|w| format!("+{}", "-".repeat(w + 2)))
        .collect::<String>()
        + "+\n";
    let line = |row: &[String; 4]| -> String {
        row.iter()
            .zip(widths)
            .map(|(cell, w)| format!("| {cell}{} ", " ".repeat(w - cell.chars().count())))
            .collect::<String>()
            + "|\n"
    };
    let mut out = border.clone();
    out.push_str(&line(&header));
    out.push_str(&border);
    for row in &rows {
        out.push_str(&line(row));
    }
    out.push_str(&border);
    out
}
