"""The page's CSS and the small script that turns citation-marker clicks into source-panel requests."""

from __future__ import annotations

CSS = """
.plans-hidden { display: none !important; }
#src-panel, #plan-full, #obl-source { font-size: 14px; }
.answer p { margin: 0 0 .4em 0; }
.answer ul { margin: .2em 0 .4em 1.1em; }
.answer .scope, .answer .understood { font-size: 12px; opacity: .75; margin-bottom: .3em; }
.answer.abstain, .answer.error { border-left: 4px solid #d97706; background: rgba(217,119,6,.08);
  padding: .4em .7em; border-radius: 6px; font-style: italic; }
.answer.error { border-left-color: #b91c1c; background: rgba(185,28,28,.07); font-style: normal; }
.abstain-head { font-weight: 600; font-style: normal; margin-bottom: .25em; }
.answer.pending { opacity: .7; }
a.cite-ref { display: inline-block; min-width: 1.6em; padding: 0 .25em; margin: 0 .08em; border-radius: 5px;
  background: #dbeafe; color: #1e40af !important; font-weight: 600; font-size: .85em; text-align: center;
  text-decoration: none !important; cursor: pointer; line-height: 1.5; }
a.cite-ref:hover { background: #1e40af; color: #fff !important; }
.sources.r a.cite-ref { background: #fef3c7; color: #92400e !important; }
.sources ol { margin: 0; padding-left: 0; list-style: none; }
.sources li { margin: .15em 0 .5em 0; font-size: 13px; }
.sources .snippet { opacity: .8; margin: .15em 0 0 2em; font-size: 12.5px; }
.related-note { font-size: 12px; font-style: italic; opacity: .8; margin-bottom: .4em; }
.src-panel.empty { opacity: .75; font-style: italic; padding: .5em; }
.src-badge { display: inline-block; font-size: 12px; font-weight: 600; padding: .1em .5em; border-radius: 5px;
  background: #dbeafe; color: #1e40af; margin-bottom: .4em; }
.src-badge.r { background: #fef3c7; color: #92400e; }
.src-badge.o { background: #dcfce7; color: #166534; }
.obl-facts { font-size: 13px; margin: .4em 0; padding: .35em .6em; border-left: 3px solid #16a34a;
  background: rgba(22,163,74,.06); border-radius: 4px; }
.obl-facts div { margin: .1em 0; }
.src-title { font-weight: 700; font-size: 15px; margin: .1em 0 .3em 0; }
.src-facts, .src-section, .src-where { font-size: 13px; margin: .1em 0; }
.src-where { opacity: .7; }
.src-note { font-size: 12px; background: rgba(59,130,246,.08); border-radius: 6px; padding: .35em .6em;
  margin: .5em 0; }
.src-text { font-family: "Noto Sans", "Source Sans Pro", system-ui, sans-serif; margin-top: .5em;
  border: 1px solid rgba(127,127,127,.25); border-radius: 6px; max-height: 60vh; overflow-y: auto;
  position: relative; }
#plan-full .src-text { max-height: 75vh; }
.ln-row { display: flex; gap: .6em; padding: .05em .4em; line-height: 1.45; }
.ln-row .ln { flex: 0 0 2.8em; text-align: right; opacity: .45; font-variant-numeric: tabular-nums;
  user-select: none; }
.ln-row .tx { white-space: pre-wrap; word-break: break-word; }
.ln-row.hl { background: #fef08a; color: #111; border-left: 4px solid #ca8a04; }
.ln-row.hl .ln { opacity: .8; }
.uncertain { text-decoration: underline dotted #b45309; cursor: help; }
.plans-table { width: 100%; border-collapse: collapse; font-size: 13px; }
.plans-table th, .plans-table td, .plan-meta th, .plan-meta td { border: none !important;
  border-bottom: 1px solid rgba(127,127,127,.25) !important; padding: .3em .4em; text-align: left;
  vertical-align: top; }
.plan-meta table { font-size: 13px; border-collapse: collapse; }
.plan-meta th { text-align: left; padding: .15em .8em .15em 0; white-space: nowrap; opacity: .75; }
.plan-meta td { padding: .15em 0; }
"""

# Runs once when the page loads: a click on a citation marker (an <a href="#src-T-K-N"> inside the chat)
# writes its reference into the hidden #src-ref box and presses the hidden #src-open button.
JS = """
() => {
  if (window.__plansCiteHook) { return; }
  window.__plansCiteHook = true;
  document.addEventListener('click', (ev) => {
    const link = ev.target && ev.target.closest ? ev.target.closest('a[href^="#src-"]') : null;
    if (!link) { return; }
    ev.preventDefault();
    ev.stopPropagation();
    const ref = link.getAttribute('href').slice(5);
    const box = document.querySelector('#src-ref textarea, #src-ref input');
    const btn = document.querySelector('#src-open');
    if (!box || !btn) { return; }
    box.value = ref + ':' + Date.now();
    box.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(() => btn.click(), 30);
  }, true);
}
"""

# After a source or "open full text": scroll the text box (not the page) to the first highlighted line.
SCROLL_JS = """
() => {
  setTimeout(() => {
    const row = document.querySelector('#plan-full .ln-row.hl');
    const box = row ? row.closest('.src-text') : null;
    if (box) { box.scrollTop = Math.max(0, row.offsetTop - box.clientHeight / 4); }
  }, 300);
}
"""

COPY_JS = """
(text) => {
  if (text && navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).catch(() => {});
  }
  return text;
}
"""
