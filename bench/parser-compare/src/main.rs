//! Parses every Dockerfile in a directory with `dockerfile-parser`, `parse-dockerfile` and
//! dockpolicy's reader; prints how many each accepts, the time it takes, and every file
//! where a candidate crate refuses what dockpolicy accepts (what Docker accepts).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: parser-compare DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let texts: Vec<(String, String)> = files
        .iter()
        .filter_map(|f| Some((f.file_name()?.to_string_lossy().into_owned(), std::fs::read_to_string(f).ok()?)))
        .collect();
    println!("{} files", texts.len());

    let ours = run("dockpolicy", &texts, |t| {
        dockpolicy::input::dockerfile::parse(t, &Default::default()).map(|_| ()).map_err(|e| e.to_string())
    });
    let a = run("parse-dockerfile 0.1.9", &texts, |t| parse_dockerfile::parse(t).map(|_| ()).map_err(|e| e.to_string()));
    let b = run("dockerfile-parser 0.9.0", &texts, |t| {
        dockerfile_parser::Dockerfile::parse(t)
            .map(|_| ())
            .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_owned())
    });
    for (name, errors) in [("parse-dockerfile", &a), ("dockerfile-parser", &b)] {
        let mut categories: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for (file, e) in errors.iter().filter(|(f, _)| !ours.contains_key(*f)) {
            let category = e.split(" at line").next().unwrap_or(e).split(" -->").next().unwrap_or(e).trim().chars().take(70).collect();
            categories.entry(category).or_default().push(file);
        }
        let total: usize = categories.values().map(Vec::len).sum();
        println!("\n{name}: refuses {total} files that Docker (and dockpolicy) accept:");
        for (category, files) in &categories {
            println!("  {:>4}  {category}   e.g. {}", files.len(), files[0]);
        }
    }
}

fn run(name: &str, texts: &[(String, String)], parse: impl Fn(&str) -> Result<(), String>) -> BTreeMap<String, String> {
    let start = Instant::now();
    let mut errors = BTreeMap::new();
    for (file, text) in texts {
        if let Err(e) = parse(text) {
            errors.insert(file.clone(), e);
        }
    }
    println!(
        "{name:<26} accepts {:>5}  refuses {:>4}  in {:>6.1} ms",
        texts.len() - errors.len(),
        errors.len(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    errors
}
