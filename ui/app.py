"""The web UI: `build_app` lays out the Gradio app over an Assistant; `serve` opens the index and launches it."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any, cast

from ui.assets import COPY_JS, CSS, JS, SCROLL_JS
from ui.handlers import ChatUI, Selection
from ui.i18n import DEFAULT_LANG, t
from ui.render import ALL, Turn
from ui.source import hint_html, plans_table_html, view_choices

if TYPE_CHECKING:
    import gradio as gr

    from assistant.service import Assistant
    from assistant.settings import Settings

EXAMPLES = (
    "Phường Dương Kinh đặt mục tiêu tỷ lệ người dân, doanh nghiệp hài lòng năm 2025 là bao nhiêu?",
    "xa Sa Thay phai gui bao cao dinh ky truoc ngay nao hang thang?",
    "Which agency leads the implementation of the Đắk Lắk provincial plan?",
)
CONCURRENCY = 8  # simultaneous jobs per event; the Assistant itself answers one at a time
MAX_QUEUE = 64  # waiting requests beyond this get Gradio's "busy, try again" message


def _header(lang: str) -> str:
    return f"## 📑 {t('app_title', lang)}\n{t('app_intro', lang)}"


def build_app(assistant: Assistant, settings: Settings) -> gr.Blocks:
    """The Gradio Blocks app (chat, source panel, feedback, plans, obligations, adding plans); launch it with
    `launch`."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import gradio as gr

    from ui.add_tab import Refreshed, add_tab
    from ui.obligations_tab import PlansTab, obligations_tab

    ui = ChatUI(assistant, settings)
    lang0 = DEFAULT_LANG
    first_doc = next(iter(ui.texts))
    meta0, text0, repaired0 = ui.plan_view(first_doc, "restored", lang0)

    with gr.Blocks(title=t("app_title", lang0), analytics_enabled=False,
                   delete_cache=(3600, 3600)) as demo:
        turns = gr.State([])  # this browser session's conversation: list[Turn]
        sel = gr.State(None)  # the source shown in the panel: (turn, kind, n)
        with gr.Row(equal_height=False):
            header = gr.Markdown(_header(lang0))
            lang = gr.Radio([("Tiếng Việt", "vi"), ("English", "en")], value=lang0, label=t("language", lang0),
                            scale=0, min_width=220, elem_id="lang")
        with gr.Tabs(selected="chat") as tabs:
            with gr.Tab(t("tab_chat", lang0), id="chat") as tab_chat, gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    with gr.Row(equal_height=True):
                        plan_find = gr.Textbox(label=t("plan_find", lang0), placeholder=t("plan_find_ph", lang0),
                                               max_length=200, lines=1, max_lines=1, scale=1,
                                               elem_id="plan-find")
                        plan = gr.Dropdown(ui.plan_choices(lang0), value=ALL, label=t("plan_filter", lang0),
                                           elem_id="plan-filter", scale=2)
                    chat = gr.Chatbot([], label=t("chatbot", lang0), height=520, latex_delimiters=[],
                                      feedback_options=None, elem_id="chat", autoscroll=True, buttons=[])
                    with gr.Row():
                        question = gr.Textbox(label=t("question", lang0), placeholder=t("question_ph", lang0),
                                              lines=1, max_lines=4, scale=5, elem_id="question", autofocus=True)
                        send = gr.Button(t("send", lang0), variant="primary", scale=1, min_width=80, elem_id="send")
                    examples = gr.Dataset(components=[question], samples=[[q] for q in EXAMPLES], type="index",
                                          label=t("examples", lang0), elem_id="examples")
                    with gr.Row():
                        new_chat = gr.Button(t("new_chat", lang0), size="sm", elem_id="new-chat")
                        copy = gr.Button(t("copy", lang0), size="sm", elem_id="copy")
                    copy_box = gr.Textbox(label=t("copy_box", lang0), lines=6, interactive=False, visible=False,
                                          buttons=["copy"], elem_id="copy-box")
                    feedback_q = gr.Markdown(f"**{t('feedback_q', lang0)}**")
                    with gr.Row():
                        up = gr.Button(t("thumbs_up", lang0), size="sm", elem_id="fb-up", min_width=90)
                        down = gr.Button(t("thumbs_down", lang0), size="sm", elem_id="fb-down", min_width=90)
                        comment_box = gr.Textbox(label=t("comment", lang0), placeholder=t("comment_ph", lang0),
                                             lines=1, scale=3, elem_id="fb-comment")
                    fb_status = gr.Markdown("", elem_id="fb-status")
                    found_file = gr.File(None, label=t("found_csv", lang0), interactive=False, visible=False,
                                         elem_id="found-csv")
                with gr.Column(scale=2):
                    src_label = gr.Markdown(f"### {t('source_panel', lang0)}")
                    src_view = gr.Radio(view_choices(lang0), value="restored", label=t("reading", lang0),
                                        visible=False, elem_id="src-view")
                    src_html = gr.HTML(hint_html(lang0), elem_id="src-panel")
                    open_plan = gr.Button(t("open_plan", lang0), size="sm", visible=False, elem_id="open-plan")
                    src_ref = gr.Textbox(elem_id="src-ref", elem_classes=["plans-hidden"], show_label=False)
                    src_open = gr.Button("open", elem_id="src-open", elem_classes=["plans-hidden"])
            with gr.Tab(t("tab_plans", lang0), id="plans") as tab_plans:
                plans_intro = gr.Markdown(t("plans_intro", lang0))
                plans_table = gr.HTML(plans_table_html(ui.texts.summaries(), lang0), elem_id="plans-table")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=1):
                        pick_find = gr.Textbox(label=t("plan_find", lang0), placeholder=t("plan_find_ph", lang0),
                                               max_length=200, lines=1, max_lines=1, elem_id="plan-pick-find")
                        pick = gr.Dropdown(ui.doc_choices(lang0, keep=first_doc), value=first_doc,
                                           label=t("plan_pick", lang0), elem_id="plan-pick")
                        pick_view = gr.Radio(view_choices(lang0), value="restored", label=t("reading", lang0),
                                             visible=repaired0, elem_id="plan-view")
                        pick_meta = gr.HTML(meta0, elem_id="plan-meta")
                    with gr.Column(scale=2):
                        pick_text = gr.HTML(text0, elem_id="plan-full")
            obligations = obligations_tab(ui, lang, lang0, PlansTab(tabs, pick, pick_view, pick_meta, pick_text))
            add_tab(ui, settings, lang, lang0, Refreshed(plan, plans_table, pick, obligations))

        # Chat: stream an answer; examples fill the box and ask.
        ask_io: dict[str, Any] = {"fn": ui.ask, "inputs": [question, plan, lang, turns],
                                  "outputs": [chat, turns, question]}
        # A list answer ("which plans …?") offers every plan it found as a CSV under the chat.
        def found(language: str, turns_v: list[Turn]) -> Any:
            path = ui.found_csv(language, turns_v)
            return gr.update(value=path, visible=path is not None, label=t("found_csv", language))
        found_io: dict[str, Any] = {"fn": found, "inputs": [lang, turns], "outputs": [found_file],
                                    "api_visibility": "private"}
        question.submit(**ask_io, api_name="ask").then(**found_io)
        send.click(**ask_io, api_visibility="private").then(**found_io)
        examples.click(lambda i: EXAMPLES[i], examples, question, api_visibility="private").then(
            **ask_io, api_visibility="private").then(**found_io)

        # The plan menu lists a hundred plans at a time: the box above it searches all by place or number.
        def find_plans(query: str, plan_v: str, language: str) -> Any:
            return gr.update(choices=ui.plan_choices(language, query, keep=plan_v))
        plan_find.input(find_plans, [plan_find, plan, lang], plan, api_visibility="private")

        def clear(language: str) -> tuple[Any, ...]:
            return ([], [], hint_html(language), None, gr.update(visible=False),
                    gr.update(value="", visible=False), "", gr.update(visible=False),
                    gr.update(value=None, visible=False))
        clear_io: dict[str, Any] = {"fn": clear, "inputs": [lang], "outputs": [chat, turns, src_html, sel, src_view,
                                                                          copy_box, fb_status, open_plan,
                                                                          found_file]}
        new_chat.click(**clear_io, api_name="new_conversation")
        chat.clear(**clear_io, api_visibility="private")

        # Source panel: a marker click (assets.JS) fills src_ref and presses src_open.
        def show_source(ref: str, language: str, turns_v: list[Turn], view: str) -> tuple[Any, ...]:
            html, selection, repaired = ui.source(ref, language, turns_v, view)
            return html, selection, gr.update(visible=repaired), gr.update(visible=selection is not None)
        src_open.click(show_source, [src_ref, lang, turns, src_view], [src_html, sel, src_view, open_plan],
                       api_name="source").then(None, js=SCROLL_JS.replace("#plan-full", "#src-panel"))

        def reshow_source(sel_v: Selection | None, lang_v: str, turns_v: list[Turn], view: str) -> str:
            return ui.render_source(sel_v, lang_v, turns_v, view)[0]
        src_view.input(reshow_source, [sel, lang, turns, src_view], src_html, api_visibility="private")

        def to_plan(sel_v: Selection | None, turns_v: list[Turn], view: str, lang_v: str) -> tuple[Any, ...]:
            doc, span = ui.open_plan(sel_v, turns_v)
            meta_h, text_h, repaired = ui.plan_view(doc, view, lang_v, span)
            return (gr.Tabs(selected="plans"), gr.update(choices=ui.doc_choices(lang_v, keep=doc), value=doc), meta_h,
                    text_h, gr.update(visible=repaired))
        open_plan.click(to_plan, [sel, turns, pick_view, lang], [tabs, pick, pick_meta, pick_text, pick_view],
                        api_visibility="private").then(None, js=SCROLL_JS)

        # Copy and feedback.
        def copy_text(language: str, turns_v: list[Turn]) -> Any:
            return gr.update(value=ui.copy(language, turns_v), visible=True)
        copy.click(copy_text, [lang, turns], copy_box, api_name="copy").then(None, [copy_box], None, js=COPY_JS)

        def thumbs_up(comment: str, language: str, turns_v: list[Turn], request: gr.Request) -> tuple[str, str]:
            return ui.rate("up", comment, language, turns_v, session=str(request.session_hash or ""))

        def thumbs_down(comment: str, language: str, turns_v: list[Turn], request: gr.Request) -> tuple[str, str]:
            return ui.rate("down", comment, language, turns_v, session=str(request.session_hash or ""))
        for handler in (thumbs_up, thumbs_down):  # Gradio passes the request by the annotation's real type
            handler.__annotations__["request"] = gr.Request
        up.click(thumbs_up, [comment_box, lang, turns], [fb_status, comment_box], api_name="feedback_up")
        down.click(thumbs_down, [comment_box, lang, turns], [fb_status, comment_box], api_name="feedback_down")

        # Plans tab.
        def show_plan(doc: str, view: str, language: str) -> tuple[Any, ...]:
            meta_h, text_h, repaired = ui.plan_view(doc, view, language)
            return meta_h, text_h, gr.update(visible=repaired)
        pick.input(show_plan, [pick, pick_view, lang], [pick_meta, pick_text, pick_view], api_name="plan")

        def find_docs(query: str, doc: str, language: str) -> Any:
            return gr.update(choices=ui.doc_choices(language, query, keep=doc))
        pick_find.input(find_docs, [pick_find, pick, lang], pick, api_visibility="private")
        pick_view.input(show_plan, [pick, pick_view, lang], [pick_meta, pick_text, pick_view],
                         api_visibility="private")

        # Interface language.
        def relabel(lg: str, turns_v: list[Turn], sel_v: Selection | None, view: str, plan_v: str, doc: str,
                    doc_view: str, query: str, doc_query: str) -> tuple[Any, ...]:
            meta_h, text_h, _ = ui.plan_view(doc, doc_view, lg)
            return (_header(lg), gr.update(label=t("language", lg)), gr.update(label=t("tab_chat", lg)),
                    gr.update(label=t("tab_plans", lg)),
                    gr.update(choices=ui.plan_choices(lg, query, keep=plan_v), value=plan_v,
                              label=t("plan_filter", lg)),
                    gr.update(label=t("plan_find", lg), placeholder=t("plan_find_ph", lg)),
                    gr.update(value=ui.rerender(lg, turns_v), label=t("chatbot", lg)),
                    gr.update(label=t("question", lg), placeholder=t("question_ph", lg)), t("send", lg),
                    gr.update(label=t("examples", lg)), t("new_chat", lg), t("copy", lg),
                    gr.update(label=t("copy_box", lg)), f"**{t('feedback_q', lg)}**", t("thumbs_up", lg),
                    t("thumbs_down", lg), gr.update(label=t("comment", lg), placeholder=t("comment_ph", lg)),
                    f"### {t('source_panel', lg)}", gr.update(choices=view_choices(lg), value=view,
                                                              label=t("reading", lg)),
                    ui.render_source(sel_v, lg, turns_v, view)[0], t("open_plan", lg), t("plans_intro", lg),
                    plans_table_html(ui.texts.summaries(), lg),
                    gr.update(choices=ui.doc_choices(lg, doc_query, keep=doc), value=doc, label=t("plan_pick", lg)),
                    gr.update(label=t("plan_find", lg), placeholder=t("plan_find_ph", lg)),
                    gr.update(choices=view_choices(lg), value=doc_view, label=t("reading", lg)), meta_h, text_h)
        lang.change(relabel, [lang, turns, sel, src_view, plan, pick, pick_view, plan_find, pick_find],
                    [header, lang, tab_chat, tab_plans, plan, plan_find, chat, question, send, examples, new_chat, copy,
                     copy_box, feedback_q, up, down, comment_box, src_label, src_view, src_html, open_plan,
                     plans_intro, plans_table, pick, pick_find, pick_view, pick_meta, pick_text],
                    api_visibility="private")
    return cast("gr.Blocks", demo)


def _auth_from_env() -> tuple[str, str] | None:
    user, password = os.environ.get("PLANS_UI_USER", ""), os.environ.get("PLANS_UI_PASSWORD", "")
    if bool(user) != bool(password):
        raise ValueError("Set both PLANS_UI_USER and PLANS_UI_PASSWORD to require a login, or neither.")
    return (user, password) if user else None


def free_port(host: str = "127.0.0.1") -> int:
    """An unused TCP port on host (for tests and benchmarks)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, block: bool = True,
           auth: tuple[str, str] | None = None, concurrency: int = CONCURRENCY, max_queue: int = MAX_QUEUE,
           max_upload_bytes: int = 4 * 1024 * 1024) -> str:
    """Queue and launch the app locally (never a share link, no extra file paths, request bodies and uploads
    capped); returns its local URL."""
    from starlette.middleware import Middleware

    from ui.guard import BodyLimit

    # Gradio rebuilds a pandas summary of every past event after each event, only for its monitoring page
    # (off here): a growing per-answer CPU cost. Recompute it at most every million events instead.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000000")
    demo.queue(default_concurrency_limit=concurrency, max_size=max_queue)
    demo.launch(server_name=host, server_port=port, share=False, auth=auth, prevent_thread_lock=not block,
                quiet=True, show_error=False, ssr_mode=False, allowed_paths=[], css=CSS, js=JS,
                footer_links=["api"], pwa=False, mcp_server=False, max_file_size=max_upload_bytes,
                app_kwargs={"middleware": [Middleware(BodyLimit, upload_bytes=max_upload_bytes)]})
    return str(demo.local_url)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, share: bool = False,
          assistant: Assistant | None = None) -> None:
    """Serve the UI until interrupted (login if PLANS_UI_USER/PLANS_UI_PASSWORD are set); opens the Assistant
    unless one is given."""
    if share:
        raise ValueError("Share links are disabled: the assistant serves only on the local network.")
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from assistant.service import Assistant
    from ui.guard import cap_process_logs

    auth = _auth_from_env()
    cap_process_logs()  # libraries print the inputs they reject; a request body must never fill the log
    assistant = assistant or Assistant.open(settings)
    try:
        assistant.warm()  # the first user does not wait for models to load
        demo = build_app(assistant, settings)
        url = launch(demo, host=host, port=port, block=False, auth=auth,
                     max_upload_bytes=settings.max_plan_mb * 1024 * 1024)
        print(f"Trợ lý Kế hoạch: {url}" + ("  (login required)" if auth else "") + "  — Ctrl+C to stop", flush=True)
        demo.block_thread()
    finally:
        assistant.close()
