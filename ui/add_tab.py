"""The "Add plans / Thêm kế hoạch" tab: upload files, check what was read from each, add them to the index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from ui.add_plans import EDITABLE, MAX_FILES, AddPlans, Staged
from ui.i18n import t
from ui.obligations_tab import ObligationsTab
from ui.source import plans_table_html

if TYPE_CHECKING:
    from assistant.settings import Settings
    from ui.handlers import ChatUI


@dataclass
class Refreshed:
    """Components of the other tabs that list plans: updated after plans are added."""

    plan_filter: gr.Dropdown
    plans_table: gr.HTML
    pick: gr.Dropdown
    obligations: ObligationsTab


def _headers(lang: str) -> list[str]:
    return [t("add_col_file", lang), t("add_col_status", lang)] + [t(f"add_col_{k}", lang) for k in EDITABLE]


def add_tab(chat: ChatUI, settings: Settings, lang: gr.Radio, lang0: str, others: Refreshed) -> AddPlans:
    """Add the tab (call inside the app's gr.Tabs) and wire its events; returns its handler object."""
    from corpus.readers import supported_suffixes

    adder = AddPlans(chat, settings)
    intro_args = {"types": ", ".join(supported_suffixes()), "mb": settings.max_plan_mb, "n": MAX_FILES}
    with gr.Tab(t("tab_add", lang0), id="add") as tab:
        intro = gr.Markdown(t("add_intro", lang0).format(**intro_args))
        files = gr.File(file_count="multiple", file_types=list(supported_suffixes()), label=t("add_files", lang0),
                        elem_id="add-files", type="filepath")
        read = gr.Button(t("add_read", lang0), elem_id="add-read")
        table = gr.Dataframe(headers=_headers(lang0), value=[], type="array", interactive=True, visible=False,
                             wrap=True, elem_id="add-table", column_count=2 + len(EDITABLE),
                             static_columns=[0, 1])  # file and status are not for editing
        go = gr.Button(t("add_go", lang0), variant="primary", visible=False, elem_id="add-go")
        status = gr.Markdown("", elem_id="add-status")
        staged = gr.State([])

    def read_files(paths: list[str] | None, language: str, progress: Any = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008 (Gradio finds it by this default)
        items = adder.stage(paths, say=lambda message: progress(None, desc=message))
        ready = any(i.meta is not None for i in items)
        note = "" if items else t("add_nothing", language)
        return (gr.update(value=adder.rows(items, language), visible=bool(items)), gr.update(visible=ready),
                items, note)

    read.click(read_files, [files, lang], [table, go, staged, status], api_name="add_read",
               concurrency_limit=1)

    def add_files(rows: list[list[Any]] | None, items: list[Staged], language: str,
                  progress: Any = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008 (Gradio finds it by this default)
        message = adder.add(items, rows or [], language, say=lambda m: progress(None, desc=m))
        others.obligations.ui.reload()
        return (message, gr.update(visible=False), [], gr.update(value=None),
                gr.update(choices=chat.plan_choices(language)), plans_table_html(chat.texts.summaries(), language),
                gr.update(choices=chat.doc_choices(language)), *others.obligations.reset(language))

    go.click(add_files, [table, staged, lang],
             [status, go, staged, files, others.plan_filter, others.plans_table, others.pick,
              *others.obligations.outputs], api_name="add_plans", concurrency_limit=1)

    def relabel(language: str, items: list[Staged]) -> tuple[Any, ...]:
        return (gr.update(label=t("tab_add", language)), t("add_intro", language).format(**intro_args),
                gr.update(label=t("add_files", language)), t("add_read", language),
                gr.update(headers=_headers(language), value=adder.rows(items, language)), t("add_go", language))

    lang.change(relabel, [lang, staged], [tab, intro, files, read, table, go], api_visibility="private")
    return adder
