//! The page's wasm loader, in place of Leptos' islands script (`HydrationScripts`): the wasm
//! is fetched and compiled while the page is still being parsed, and the islands are hydrated
//! as soon as the document is parsed.
//!
//! Leptos' script is a deferred module that waits for the page to be parsed and the stylesheet
//! loaded, then for an idle moment, and only then imports the glue and compiles the wasm: on a
//! call page that put the wasm's start about 45 ms after the page was parsed (call set-up
//! bench, "wasm compile started"), and the call's offer after it. This one is an `async`
//! module: it runs as soon as the glue (preloaded) is in, which is while the parser is still
//! on the page. It never hydrates before `DOMContentLoaded`, so every island is in the
//! document by then, and on a call page where the inline script is making the call
//! (`calls::early`), not before that call is up (400 ms at most): hydration is the page's
//! longest task (30-70 ms here), and every frame of the call that arrived meanwhile waited for
//! it. There the island holding the call (its `.stage`) is hydrated first, and the page's other
//! islands (the call-by-name overlay, with its own socket) once the page is next idle, 1 s at
//! most. Each island is hydrated by the function the wasm exports under its `data-component`
//! name, as Leptos' script does (no island here takes children, so nothing else of that script
//! is needed). `parley hydrate` and `parley hydrated` mark the first hydration in the page's
//! performance timeline.
use leptos::either::Either;
use leptos::prelude::*;

/// The longest the islands wait for a call page's early script to bring its call up
/// (`calls::early`, `offers!`): hydration is the page's longest task, and would hold up every
/// frame of the call on its way.
const WAIT_MS: u32 = 400;

/// The longest the page's other islands wait, after the call's, for the page to be idle.
const LATER_MS: u32 = 1000;

/// The module's text for the glue at `js` and the wasm at `wasm`. The paths are the site's own,
/// from its configuration; neither can contain a quote.
fn script(js: &str, wasm: &str) -> String {
    format!(
        "import init,*as parley from'{js}';\
         await init({{module_or_path:'{wasm}'}});\
         const early=window.__parleySocket;\
         const one=island=>{{const make=parley[island.dataset.component];\
         if(make)make(island);else console.warn('no island '+island.dataset.component+' in the wasm')}};\
         const hydrate=()=>{{performance.mark('parley hydrate');parley.hydrate();\
         const all=[...document.querySelectorAll('leptos-island')];\
         const now=early?all.filter(i=>i.querySelector('.stage')):all;\
         now.forEach(one);performance.mark('parley hydrated');\
         const rest=all.filter(i=>!now.includes(i));\
         if(rest.length){{const later=()=>rest.forEach(one);\
         if(window.requestIdleCallback)requestIdleCallback(later,{{timeout:{LATER_MS}}});else setTimeout(later,50)}}}};\
         const go=()=>{{if(document.readyState==='loading')addEventListener('DOMContentLoaded',hydrate,{{once:true}});\
         else hydrate()}};\
         if(early&&early.ready)Promise.race([early.ready,new Promise(r=>setTimeout(r,{WAIT_MS}))]).then(go);\
         else go();"
    )
}

/// The glue's and the wasm's paths under the site's package folder, named as cargo-leptos
/// names them.
fn paths(options: &LeptosOptions) -> (String, String) {
    let pkg = &options.site_pkg_dir;
    let name = &options.output_name;
    // Built by cargo-leptos (which sets this at compile time) the wasm is `<name>.wasm`;
    // otherwise wasm-bindgen's own `<name>_bg.wasm`.
    let suffix = if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
        ""
    } else {
        "_bg"
    };
    (
        format!("/{pkg}/{name}.js"),
        format!("/{pkg}/{name}{suffix}.wasm"),
    )
}

/// The resource hints and the loader, for the page's `<head>`. With hashed file names (not
/// used here) it falls back to Leptos' own script, which knows them.
#[component]
pub fn IslandsLoader(options: LeptosOptions) -> impl IntoView {
    if options.hash_files {
        return Either::Left(view! { <HydrationScripts options islands=true/> });
    }
    // As Leptos' script does: in islands mode only the islands themselves are hydrated, so
    // the rest of the page is rendered without hydration markers.
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    let (js, wasm) = paths(&options);
    let nonce = leptos::nonce::use_nonce();
    let text = script(&js, &wasm);
    Either::Right(view! {
        <link rel="modulepreload" href=js/>
        <link rel="preload" href=wasm r#as="fetch" r#type="application/wasm" crossorigin="anonymous"/>
        <script type="module" async=true nonce=nonce inner_html=text></script>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_starts_the_wasm_at_once_and_hydrates_each_island_once_the_page_is_parsed() {
        let s = script("/pkg/parley.js", "/pkg/parley.wasm");
        assert!(s.starts_with("import init,*as parley from'/pkg/parley.js';"));
        assert!(s.contains("await init({module_or_path:'/pkg/parley.wasm'});"));
        // Hydration waits for the parsed document, and runs once.
        assert!(s.contains("addEventListener('DOMContentLoaded',hydrate,{once:true})"));
        assert!(s.contains("parley.hydrate();"));
        // A call page's islands wait for its early call to be up, 400 ms at most.
        assert!(
            s.contains("Promise.race([early.ready,new Promise(r=>setTimeout(r,400))]).then(go)")
        );
        assert!(s.contains("querySelectorAll('leptos-island')"));
        assert!(s.contains("parley[island.dataset.component]"));
        // There the call's island first, the others once the page is idle (1 s at most).
        assert!(s.contains("const now=early?all.filter(i=>i.querySelector('.stage')):all;"));
        assert!(s.contains("requestIdleCallback(later,{timeout:1000})"));
        assert!(s.contains("else setTimeout(later,50)"));
        // Nothing that could end the script element early.
        assert!(!s.contains('<'));
    }

    #[test]
    fn the_paths_are_the_sites_package_folder_and_output_name() {
        let options = LeptosOptions::builder()
            .output_name("parley")
            .site_pkg_dir("pkg")
            .build();
        let (js, wasm) = paths(&options);
        assert_eq!(js, "/pkg/parley.js");
        let expected = if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
            "/pkg/parley.wasm"
        } else {
            "/pkg/parley_bg.wasm"
        };
        assert_eq!(wasm, expected);
    }
}
