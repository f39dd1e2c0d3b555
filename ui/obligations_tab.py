"""The Obligations tab's layout and events (inside build_app's Blocks); the work is done by ui.obligations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from ui.assets import SCROLL_JS
from ui.i18n import t
from ui.obligations import MAX_FILTER_CHARS, ObligationsUI, Result
from ui.render import ALL
from ui.source import hint_html, view_choices

if TYPE_CHECKING:
    import pandas as pd

    from ui.handlers import ChatUI

DATE_PH = "dd/mm/yyyy"
MONTH_PH = "mm/yyyy"


@dataclass(frozen=True)
class PlansTab:
    """The Plans tab's components that "open full text" drives."""

    tabs: gr.Tabs
    pick: gr.Dropdown
    view: gr.Radio
    meta: gr.HTML
    text: gr.HTML


def _frame(rows: list[list[Any]], headers: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=headers)


@dataclass
class ObligationsTab:
    """The tab's handler object, and how to show it afresh (after plans are added): reset(lang) gives the values
    of the components in `outputs`."""

    ui: ObligationsUI
    outputs: list[Any]
    reset: Callable[[str], tuple[Any, ...]]


def obligations_tab(chat: ChatUI, lang: gr.Radio, lang0: str, plans_tab: PlansTab) -> ObligationsTab:
    """Add the Obligations tab (call inside the app's gr.Tabs) and wire its events."""
    ui = ObligationsUI(chat.assistant, chat.plans, chat.texts)
    first = ui.run(ALL, "", "", "", "", "", lang0, rotate=False)  # the unfiltered view, made once at start
    box: dict[str, Any] = {"max_length": MAX_FILTER_CHARS, "lines": 1, "max_lines": 1}

    with gr.Tab(t("tab_obligations", lang0), id="obligations") as tab:
        intro = gr.Markdown(t("obl_intro", lang0))
        with gr.Row(equal_height=True):
            plan_find = gr.Textbox(label=t("plan_find", lang0), placeholder=t("plan_find_ph", lang0), scale=1,
                                   elem_id="obl-plan-find", **box)
            plan = gr.Dropdown(ui.plan_choices(lang0), value=ALL, label=t("col_plan", lang0), elem_id="obl-plan",
                               scale=2)
            who = gr.Textbox(label=t("obl_who", lang0), placeholder=t("obl_who_ph", lang0), elem_id="obl-who",
                             scale=2, **box)
            search = gr.Textbox(label=t("obl_search", lang0), placeholder=t("obl_search_ph", lang0),
                                elem_id="obl-search", scale=2, **box)
        with gr.Row(equal_height=True):
            after = gr.Textbox(label=t("obl_after", lang0), placeholder=DATE_PH, elem_id="obl-after", **box)
            before = gr.Textbox(label=t("obl_before", lang0), placeholder=DATE_PH, elem_id="obl-before", **box)
            month = gr.Textbox(label=t("obl_month", lang0), placeholder=MONTH_PH, elem_id="obl-month", **box)
            with gr.Column(min_width=140, scale=0):
                apply = gr.Button(t("obl_apply", lang0), variant="primary", elem_id="obl-apply")
                reset = gr.Button(t("obl_reset", lang0), size="sm", elem_id="obl-reset")
        status = gr.Markdown(first.status, elem_id="obl-status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                table = gr.Dataframe(_frame(first.rows, ui.headers(lang0)), label=t("obl_table", lang0),
                                     interactive=False, wrap=True, max_height=560, elem_id="obl-table",
                                     column_widths=["6%", "14%", "8%", "16%", "14%", "12%", "30%"])
                with gr.Row(equal_height=True):
                    prev = gr.Button(t("obl_prev", lang0), size="sm", elem_id="obl-prev", min_width=90)
                    page = gr.Number(1, label=t("obl_page_no", lang0), minimum=1, precision=0, elem_id="obl-page",
                                     min_width=90)
                    nxt = gr.Button(t("obl_next", lang0), size="sm", elem_id="obl-next", min_width=90)
            with gr.Column(scale=2):
                view = gr.Radio(view_choices(lang0), value="restored", label=t("reading", lang0), visible=False,
                                elem_id="obl-view")
                source = gr.HTML(hint_html(lang0, "obl_hint"), elem_id="obl-source")
                open_plan = gr.Button(t("open_plan", lang0), size="sm", visible=False, elem_id="obl-open-plan")
                ref = gr.Textbox(elem_id="obl-ref", elem_classes=["plans-hidden"], show_label=False)
                go = gr.Button("open", elem_id="obl-go", elem_classes=["plans-hidden"])
        timeline = gr.Image(first.timeline, type="filepath", label=t("obl_timeline", lang0), interactive=False,
                            elem_id="obl-timeline", buttons=["download", "fullscreen"])
        with gr.Row():
            csv_file = gr.File(first.csv, label=t("obl_csv", lang0), interactive=False, elem_id="obl-csv")
            ics_file = gr.File(first.ics, label=t("obl_ics", lang0), interactive=False, elem_id="obl-ics")
        sel = gr.State(None)  # the obligation number shown in the source panel

    def out(res: Result, lg: str) -> tuple[Any, ...]:
        return _frame(res.rows, ui.headers(lg)), res.status, res.timeline, res.csv, res.ics, res.page

    # Filtering: the button is the API; Enter in a box, the plan menu and "clear" do the same (back to page 1).
    filters = [plan, who, search, before, after, month, lang]
    results = [table, status, timeline, csv_file, ics_file, page]

    # The plan menu lists a hundred plans at a time: the box beside it searches all by place or number.
    def find_plans(query: str, plan_v: str, lg: str) -> Any:
        return gr.update(choices=ui.plan_choices(lg, query, keep=plan_v))
    plan_find.input(find_plans, [plan_find, plan, lang], plan, api_visibility="private")

    # Paging: another page of the same filter; the exports (of the whole filter) stay.
    def turn(step: int) -> Callable[..., tuple[Any, ...]]:
        def go_to(plan_v: str, who_v: str, search_v: str, before_v: str, after_v: str, month_v: str, lg: str,
                  page_v: float | None) -> tuple[Any, ...]:
            rows, status_v, shown = ui.run_page(plan_v, who_v, search_v, before_v, after_v, month_v, lg,
                                                int(page_v or 1) + step)
            return _frame(rows, ui.headers(lg)), status_v, shown
        return go_to
    prev.click(turn(-1), [*filters, page], [table, status, page], api_visibility="private")
    nxt.click(turn(1), [*filters, page], [table, status, page], api_visibility="private")
    page.submit(turn(0), [*filters, page], [table, status, page], api_visibility="private")

    def run(plan_v: str, who_v: str, search_v: str, before_v: str, after_v: str, month_v: str,
            lg: str) -> tuple[Any, ...]:
        return out(ui.run(plan_v, who_v, search_v, before_v, after_v, month_v, lg), lg)
    apply.click(run, filters, results, api_name="obligations")
    for component in (who, search, before, after, month):
        component.submit(run, filters, results, api_visibility="private")
    plan.input(run, filters, results, api_visibility="private")

    def clear(lg: str) -> tuple[Any, ...]:
        return ("", gr.update(choices=ui.plan_choices(lg), value=ALL), "", "", "", "", "",
                *out(ui.run(ALL, "", "", "", "", "", lg), lg))
    reset.click(clear, [lang], [plan_find, plan, who, search, before, after, month, *results],
                api_visibility="private")

    # Source panel: a row click, or the API with an obligation number.
    def show(ref_v: Any, lg: str, view_v: str) -> tuple[Any, ...]:
        html, n, repaired = ui.source(ref_v, lg, view_v)
        return html, n, gr.update(visible=repaired), gr.update(visible=n is not None)
    panel = [source, sel, view, open_plan]
    go.click(show, [ref, lang, view], panel, api_name="obligation_source").then(
        None, js=SCROLL_JS.replace("#plan-full", "#obl-source"))

    def pick_row(lg: str, view_v: str, evt: gr.SelectData) -> tuple[Any, ...]:
        row = evt.row_value or []
        return show(row[0] if row else None, lg, view_v)
    table.select(pick_row, [lang, view], panel, api_visibility="private").then(
        None, js=SCROLL_JS.replace("#plan-full", "#obl-source"))

    def reshow(n: int | None, lg: str, view_v: str) -> str:
        return ui.source(n, lg, view_v)[0] if n else hint_html(lg, "obl_hint")
    view.input(reshow, [sel, lang, view], source, api_visibility="private")

    def to_plan(n: int | None, doc_view: str, lg: str) -> tuple[Any, ...]:
        doc, span = ui.open_plan(n)
        if doc is None:
            return (gr.skip(),) * 5
        meta_h, text_h, repaired = chat.plan_view(doc, doc_view, lg, span)
        return (gr.Tabs(selected="plans"), gr.update(choices=chat.doc_choices(lg, keep=doc), value=doc), meta_h,
                text_h, gr.update(visible=repaired))
    p = plans_tab
    open_plan.click(to_plan, [sel, p.view, lang], [p.tabs, p.pick, p.meta, p.text, p.view],
                    api_visibility="private").then(None, js=SCROLL_JS)

    # Interface language: relabel, and redo the current filter (messages and plan names are localised).
    def relabel(lg: str, n: int | None, view_v: str, plan_v: str, who_v: str, search_v: str, before_v: str,
                after_v: str, month_v: str, page_v: float | None, query: str) -> tuple[Any, ...]:
        res = ui.run(plan_v, who_v, search_v, before_v, after_v, month_v, lg, page=int(page_v or 1))
        return (gr.update(label=t("tab_obligations", lg)), t("obl_intro", lg),
                gr.update(choices=ui.plan_choices(lg, query, keep=plan_v), value=plan_v, label=t("col_plan", lg)),
                gr.update(label=t("plan_find", lg), placeholder=t("plan_find_ph", lg)),
                gr.update(label=t("obl_who", lg), placeholder=t("obl_who_ph", lg)),
                gr.update(label=t("obl_search", lg), placeholder=t("obl_search_ph", lg)),
                gr.update(label=t("obl_after", lg)), gr.update(label=t("obl_before", lg)),
                gr.update(label=t("obl_month", lg)), t("obl_apply", lg), t("obl_reset", lg),
                gr.update(value=_frame(res.rows, ui.headers(lg)), label=t("obl_table", lg)), res.status,
                gr.update(value=res.timeline, label=t("obl_timeline", lg)),
                gr.update(value=res.csv, label=t("obl_csv", lg)), gr.update(value=res.ics, label=t("obl_ics", lg)),
                gr.update(choices=view_choices(lg), value=view_v, label=t("reading", lg)), reshow(n, lg, view_v),
                t("open_plan", lg), t("obl_prev", lg), t("obl_next", lg),
                gr.update(value=res.page, label=t("obl_page_no", lg)))
    lang.change(relabel, [lang, sel, view, plan, who, search, before, after, month, page, plan_find],
                [tab, intro, plan, plan_find, who, search, after, before, month, apply, reset, table, status, timeline,
                 csv_file, ics_file, view, source, open_plan, prev, nxt, page], api_visibility="private")
    return ObligationsTab(ui, [plan_find, plan, who, search, before, after, month, *results], clear)
