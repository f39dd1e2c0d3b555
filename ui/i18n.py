"""Interface text in Vietnamese (default) and English."""

from __future__ import annotations

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

_TEXT: dict[str, tuple[str, str]] = {
    # key: (Vietnamese, English)
    "app_title": ("Trợ lý Kế hoạch", "Plans Assistant"),
    "app_intro": ("Hỏi về các kế hoạch của cơ quan nhà nước (2025). Mỗi câu trả lời trích nguyên văn từ kế hoạch, "
                  "đánh số [1], [2]… — bấm vào số để xem đoạn nguồn.",
                  "Ask about Vietnamese government plans (2025). Every answer quotes the plans verbatim, "
                  "numbered [1], [2]… — click a number to see the source passage."),
    "language": ("Ngôn ngữ giao diện", "Interface language"),
    "tab_chat": ("Hỏi đáp", "Chat"),
    "tab_plans": ("Các kế hoạch", "Plans"),
    "plan_filter": ("Phạm vi tìm kiếm", "Search in"),
    "plan_find": ("Tìm kế hoạch", "Find a plan"),
    "plan_find_ph": ("địa danh hoặc số hiệu, ví dụ: Dương Kinh, 49/KH", "place or number, e.g. Duong Kinh, 49/KH"),
    "found_stem": ("ke-hoach-tim-thay", "plans-found"),
    "found_csv": ("Tất cả kế hoạch tìm thấy (CSV)", "Every plan found (CSV)"),
    "all_plans": ("Tất cả kế hoạch", "All plans"),
    "chatbot": ("Cuộc trò chuyện", "Conversation"),
    "question": ("Câu hỏi", "Question"),
    "question_ph": ("Nhập câu hỏi (có dấu, không dấu hoặc tiếng Anh) rồi nhấn Enter…",
                    "Type a question (Vietnamese with or without accents, or English), then press Enter…"),
    "send": ("Gửi", "Send"),
    "new_chat": ("🗒️ Cuộc trò chuyện mới", "🗒️ New conversation"),
    "examples": ("Câu hỏi mẫu", "Example questions"),
    "searching": ("⏳ Đang tìm trong các kế hoạch…", "⏳ Searching the plans…"),
    "understood_as": ("Hiểu là", "Understood as"),
    "scope": ("Chỉ tìm trong", "Searching only"),
    "sources_title": ("📚 Nguồn trích dẫn", "📚 Cited sources"),
    "related_title": ("🔍 Đoạn liên quan — không phải trích dẫn", "🔍 Related passages — not citations"),
    "related_note": ("Các đoạn này gần với câu hỏi nhưng không trả lời nó; chỉ để tham khảo.",
                     "These passages are close to the question but do not answer it; for reference only."),
    "not_found": ("Không tìm thấy câu trả lời", "No answer found"),
    "error": ("Không thể trả lời", "Cannot answer"),
    "lines": ("dòng", "lines"),
    "line": ("dòng", "line"),
    "view": ("xem", "view"),
    "plan_no": ("Kế hoạch số", "Plan no."),
    "source_panel": ("Đoạn nguồn", "Source passage"),
    "source_hint": ("Bấm vào một dấu [1], [2]… trong câu trả lời để xem đoạn nguồn, với các dòng được trích "
                    "tô sáng giữa văn bản xung quanh.",
                    "Click a marker [1], [2]… in an answer to see its source passage, with the cited lines "
                    "highlighted in their surrounding text."),
    "source_gone": ("Không còn đoạn nguồn này (cuộc trò chuyện đã được làm mới).",
                    "That source is no longer available (the conversation was cleared)."),
    "citation_n": ("Trích dẫn", "Citation"),
    "related_n": ("Đoạn liên quan (không phải trích dẫn)", "Related passage (not a citation)"),
    "section": ("Mục", "Section"),
    "locality": ("Địa phương", "Locality"),
    "date": ("Ngày ban hành", "Date"),
    "issuer": ("Cơ quan ban hành", "Issued by"),
    "implements": ("Triển khai văn bản", "Implements"),
    "province": ("Tỉnh/thành", "Province"),
    "file": ("Tệp", "File"),
    "reading": ("Bản hiển thị", "Showing"),
    "restored": ("Bản đọc đã khôi phục dấu", "Restored reading"),
    "raw": ("Bản quét gốc (nguyên văn)", "Raw scan text (verbatim)"),
    "repaired_note": ("Văn bản này là bản quét OCR đã được khôi phục dấu tự động. Trích dẫn luôn là nguyên văn "
                      "bản quét; chuyển sang “Bản quét gốc” để đối chiếu.",
                      "This plan is an OCR scan whose diacritics were restored automatically. Citations always "
                      "quote the raw scan; switch to “Raw scan text” to compare."),
    "not_repaired": ("Văn bản gốc (không cần khôi phục).", "Original text (no repair needed)."),
    "uncertain": ("chưa chắc chắn; bản quét", "uncertain; scan reads"),
    "repaired_yes": ("Đã khôi phục dấu", "Diacritics restored"),
    "repaired_no": ("Nguyên bản", "As published"),
    "copy": ("📋 Sao chép câu trả lời", "📋 Copy answer"),
    "copy_box": ("Câu trả lời kèm nguồn (văn bản thuần)", "Answer with sources (plain text)"),
    "copy_empty": ("Chưa có câu trả lời để sao chép.", "No answer to copy yet."),
    "feedback_q": ("Câu trả lời gần nhất có hữu ích không?", "Was the latest answer helpful?"),
    "thumbs_up": ("👍 Hữu ích", "👍 Helpful"),
    "thumbs_down": ("👎 Chưa tốt", "👎 Not helpful"),
    "comment": ("Góp ý (không bắt buộc)", "Comment (optional)"),
    "comment_ph": ("Điều gì đúng/sai trong câu trả lời?", "What was right or wrong with the answer?"),
    "fb_saved": ("✅ Cảm ơn! Đã ghi nhận phản hồi.", "✅ Thank you! Feedback saved."),
    "fb_none": ("Chưa có câu trả lời nào để đánh giá.", "There is no answer to rate yet."),
    "fb_failed": ("⚠️ Không ghi được phản hồi; vui lòng báo quản trị viên.",
                  "⚠️ Could not save feedback; please tell the administrator."),
    "fb_limit": ("⚠️ Đã nhận quá nhiều phản hồi; vui lòng thử lại sau một phút.",
                 "⚠️ Too much feedback at once; please try again in a minute."),
    "question_label": ("Hỏi", "Question"),
    "answer_label": ("Đáp", "Answer"),
    "sources_label": ("Nguồn", "Sources"),
    "related_label": ("Đoạn liên quan (không phải trích dẫn)", "Related passages (not citations)"),
    "plans_intro": ("Danh sách kế hoạch trong kho và toàn văn từng kế hoạch.",
                    "The plans in the collection and the full text of each."),
    "plan_pick": ("Chọn kế hoạch", "Choose a plan"),
    "open_plan": ("📄 Mở toàn văn kế hoạch này", "📄 Open this plan's full text"),
    "col_plan": ("Kế hoạch", "Plan"),
    "col_title": ("Tên kế hoạch", "Title"),
    "col_status": ("Văn bản", "Text"),
    "tab_obligations": ("Nghĩa vụ", "Obligations"),
    "tab_add": ("Thêm kế hoạch", "Add plans"),
    "add_intro": ("Tải lên kế hoạch ({types}; tối đa {mb} MB mỗi tệp, {n} tệp mỗi lần), bấm **Đọc tệp** để xem "
                  "thông tin đọc được từ phần đầu văn bản (có thể sửa), rồi bấm **Thêm vào kho**: kế hoạch tìm "
                  "được ngay. Bản quét được nhận dạng chữ (OCR), có thể mất một lúc mỗi trang.",
                  "Upload plans ({types}; at most {mb} MB a file, {n} files at a time), press **Read files** to "
                  "see what was read from each header (you can correct it), then **Add to the index**: the plans "
                  "are searchable at once. Scans are read by OCR, which takes a while per page."),
    "add_files": ("Tệp kế hoạch", "Plan files"),
    "add_read": ("📖 Đọc tệp", "📖 Read files"),
    "add_go": ("➕ Thêm vào kho", "➕ Add to the index"),
    "add_ready": ("✅ sẵn sàng", "✅ ready"),
    "add_skip": ("⚠️ bỏ qua", "⚠️ skipped"),
    "add_nothing": ("Chưa có tệp nào đọc được để thêm.", "No readable file to add yet."),
    "add_busy": ("Đang thêm kế hoạch khác; vui lòng thử lại sau.", "Other plans are being added; try again soon."),
    "add_failed": ("⚠️ Không thêm được; kho và thư mục vẫn như trước",
                   "⚠️ Could not add the plans; the index and the folder are as they were"),
    "add_done": ("Đã thêm {n} kế hoạch ({chunks} đoạn, {s:.0f} giây):", "Added {n} plan(s) ({chunks} chunks, {s:.0f} s):"),
    "add_dup": ("đã có trong kho ({doc})", "already in the index ({doc})"),
    "add_big": ("lớn hơn {limit}", "larger than {limit}"),
    "add_unreadable": ("không đọc được tệp tải lên", "the upload could not be read"),
    "add_type": ("loại tệp {kind} không được hỗ trợ (hỗ trợ: {known})", "file type {kind} is not supported "
                 "(supported: {known})"),
    "add_col_file": ("Tệp", "File"),
    "add_col_status": ("Trạng thái", "Status"),
    "add_col_plan_id": ("Mã", "Id"),
    "add_col_level": ("Cấp", "Level"),
    "add_col_locality": ("Địa phương", "Place"),
    "add_col_number": ("Số hiệu", "Number"),
    "add_col_date": ("Ngày", "Date"),
    "add_col_title": ("Tên kế hoạch", "Title"),
    "obl_intro": ("Các nhiệm vụ đọc từ kế hoạch: đơn vị chủ trì, phối hợp, nội dung và thời hạn. Lọc theo kế hoạch, "
                  "đơn vị hoặc thời hạn; bấm vào một dòng của bảng để xem các dòng nguồn được tô sáng.",
                  "Duties read from the plans: lead and supporting units, task and deadline. Filter by plan, unit "
                  "or deadline; click a row of the table to see its source lines highlighted."),
    "obl_who": ("Đơn vị (chủ trì hoặc phối hợp)", "Unit (lead or supporting)"),
    "obl_who_ph": ("vd. trung tâm phục vụ hành chính công", "e.g. trung tam phuc vu hanh chinh cong"),
    "obl_search": ("Tìm trong nội dung nhiệm vụ", "Search the task text"),
    "obl_search_ph": ("vd. báo cáo (có dấu hoặc không dấu)", "e.g. bao cao (with or without accents)"),
    "obl_before": ("Hạn đến ngày", "Due on or before"),
    "obl_after": ("Hạn từ ngày", "Due on or after"),
    "obl_month": ("Hạn trong tháng", "Due in month"),
    "obl_apply": ("🔎 Lọc", "🔎 Filter"),
    "obl_reset": ("Xóa bộ lọc", "Clear filters"),
    "obl_count": ("**{n}** nghĩa vụ, {dated} có thời hạn. Nhãn thời hạn giữ cách viết của kế hoạch; ⚠ = thời hạn "
                  "cần kiểm tra lại.",
                  "**{n}** obligations, {dated} with a deadline. Deadline labels keep the plans' Vietnamese "
                  "wording; ⚠ = a deadline to double-check."),
    "obl_page": ("Đang hiện {a}–{b} (trang {page}/{pages}).", "Showing {a}–{b} (page {page} of {pages})."),
    "obl_prev": ("‹ Trang trước", "‹ Previous"),
    "obl_next": ("Trang sau ›", "Next ›"),
    "obl_page_no": ("Trang", "Page"),
    "obl_none": ("Không có nghĩa vụ nào khớp bộ lọc.", "No obligation matches the filters."),
    "obl_bad_date": ("⚠️ Không đọc được “{text}” ở ô “{field}” là một ngày.",
                     "⚠️ Cannot read “{text}” in “{field}” as a date."),
    "obl_bad_month": ("⚠️ Không đọc được “{text}” ở ô “{field}” là một tháng.",
                      "⚠️ Cannot read “{text}” in “{field}” as a month."),
    "obl_formats": ("Định dạng chấp nhận", "Accepted formats"),
    "obl_or": ("hoặc", "or"),
    "col_no": ("Số", "No."),
    "col_lines": ("Dòng", "Lines"),
    "col_lead": ("Chủ trì", "Lead"),
    "col_support": ("Phối hợp", "Support"),
    "col_deadline": ("Thời hạn", "Deadline"),
    "col_task": ("Nhiệm vụ", "Task"),
    "obl_table": ("Danh sách nghĩa vụ", "Obligations"),
    "obl_timeline": ("Biểu đồ thời hạn (theo bộ lọc)", "Deadline timeline (current filter)"),
    "obl_csv": ("Tải bảng (CSV, theo bộ lọc)", "Download table (CSV, current filter)"),
    "obl_ics": ("Tải lịch (.ics, theo bộ lọc)", "Download calendar (.ics, current filter)"),
    "obl_hint": ("Bấm vào một dòng trong bảng nghĩa vụ để xem các dòng nguồn được tô sáng.",
                 "Click a row of the obligations table to see its source lines highlighted."),
    "obl_gone": ("Không có nghĩa vụ mang số này.", "There is no obligation with that number."),
    "obligation_n": ("Nghĩa vụ", "Obligation"),
    "no_deadline": ("không nêu thời hạn", "no deadline stated"),
    "deadline_text": ("Thời hạn (nguyên văn)", "Deadline (verbatim)"),
    "file_stem": ("nghia-vu", "obligations"),
    "busy": ("Hệ thống đang bận, vui lòng thử lại sau giây lát.", "The assistant is busy; please try again shortly."),
}


def t(key: str, lang: str) -> str:
    """The interface string `key` in `lang` (Vietnamese unless lang is "en")."""
    vi, en = _TEXT[key]
    return en if lang == "en" else vi


def keys() -> list[str]:
    """Every interface string key."""
    return list(_TEXT)
