"""Question analysis: validation, language, named plans, wanted answer type, follow-ups, English terms."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.records import PlanMeta
from corpus.text import collapse, detect_language, fold, nfc
from index.sparse import entities

MAX_QUESTION_CHARS = 2000


class QuestionError(ValueError):
    """A question that cannot be asked as given."""


# English -> folded Vietnamese, so English questions meet the plans' words on the sparse side too.
GLOSSARY: dict[str, str] = {
    "report": "bao cao", "reports": "bao cao", "reporting": "bao cao", "deadline": "",
    "by": "", "before": "", "complete": "hoan thanh", "completed": "hoan thanh",
    "finish": "hoan thanh", "commune": "xa", "ward": "phuong", "province": "tinh", "provincial": "tinh",
    "police": "cong an", "online": "truc tuyen", "public": "cong", "service": "dich vu", "services": "dich vu",
    "department": "so", "science": "khoa hoc", "technology": "cong nghe", "lead": "chu tri", "leads": "chu tri",
    "charge": "chu tri", "responsible": "chu tri trach nhiem", "coordinate": "phoi hop", "plan": "ke hoach",
    "decision": "quyet dinh", "target": "muc tieu chi tieu", "targets": "muc tieu chi tieu", "goal": "muc tieu",
    "payment": "thanh toan", "payments": "thanh toan", "cashless": "khong dung tien mat",
    "digitization": "so hoa", "digitisation": "so hoa", "digitize": "so hoa", "records": "ho so",
    "procedure": "thu tuc", "procedures": "thu tuc hanh chinh", "administrative": "hanh chinh",
    "satisfaction": "hai long", "people": "nguoi dan", "citizens": "nguoi dan", "businesses": "doanh nghiep",
    "enterprises": "doanh nghiep", "data": "du lieu", "database": "co so du lieu", "budget": "kinh phi",
    "funding": "kinh phi", "security": "an toan an ninh", "information": "thong tin", "training": "tap huan",
    "propaganda": "tuyen truyen", "communication": "tuyen truyen", "signed": "ky", "signer": "ky chu tich",
    "issued": "ban hanh", "issue": "ban hanh", "date": "", "number": "so", "percentage": "ty le",
    "percent": "ty le", "rate": "ty le", "time": "", "minutes": "phut", "evaluation": "danh gia",
    "evaluate": "danh gia", "assess": "danh gia", "center": "trung tam", "centre": "trung tam",
    "office": "van phong", "committee": "uy ban", "people's": "nhan dan", "digital": "so", "transformation": "chuyen doi",
    "monthly": "hang thang", "quarterly": "hang quy", "implement": "thuc hien trien khai",
    "implements": "thuc hien trien khai", "implementation": "to chuc thuc hien", "summary": "tong ket so ket",
    "reuse": "tai su dung", "electronic": "dien tu", "results": "ket qua", "result": "ket qua",
    "portal": "cong", "national": "quoc gia", "one-stop": "mot cua", "staff": "can bo cong chuc",
    "officials": "can bo cong chuc vien chuc", "youth": "doan thanh nien", "union": "doan", "party": "dang",
    "community": "cong dong", "compile": "tong hop", "summarize": "tong hop", "unit": "don vi",
    "units": "don vi", "agency": "co quan", "agencies": "co quan", "share": "ty le", "maintain": "duy tri",
    "integrated": "tich hop", "stations": "tram", "station": "tram", "level": "cap do", "minimum": "toi thieu",
    "least": "toi thieu", "accounts": "tai khoan", "account": "tai khoan", "members": "vien", "dossiers": "ho so",
    "dossier": "ho so", "processed": "giai quyet xu ly", "handled": "giai quyet xu ly", "fully": "toan trinh",
    "period": "giai doan", "cover": "giai doan", "focal": "dau moi", "advise": "tham muu", "advises": "tham muu",
    "advising": "tham muu", "monitoring": "theo doi giam sat", "monitor": "theo doi giam sat",
    "firewalls": "tuong lua", "firewall": "tuong lua", "antivirus": "virus", "encryption": "ma hoa",
    "backups": "sao luu", "backup": "sao luu", "measures": "giai phap bien phap", "sharing": "chia se",
    "share_data": "chia se du lieu", "connection": "ket noi", "mandatory": "bat buoc", "ministry": "bo",
    "social": "xa hoi", "culture": "van hoa", "affairs": "", "route": "qua", "through": "qua",
    "channel": "qua", "send": "gui", "sent": "gui", "submit": "gui nop", "month": "", "months": "",
    "day": "", "each": "hang", "periodic": "dinh ky", "paper": "giay", "manual": "thu cong",
    "environment": "moi truong", "electronic_env": "moi truong dien tu", "provide": "cung cap",
    "provides": "cung cap", "provided": "cung cap", "users": "nguoi dung", "user": "nguoi dung",
    "experience": "trai nghiem", "quality": "chat luong", "review": "ra soat", "publish": "cong bo",
    "eligible": "du dieu kien", "whole": "toan trinh", "full-process": "toan trinh", "end-to-end": "toan trinh",
    "broadband": "bang rong", "fiber": "cap quang", "fibre": "cap quang", "optic": "cap quang",
    "household": "ho gia dinh", "households": "ho gia dinh", "telecom": "vien thong", "telecommunications": "vien thong",
    "operators": "doanh nghiep", "mobile": "di dong", "coverage": "phu song", "internet": "internet",
    "cloud": "dien toan dam may", "platform": "nen tang", "platforms": "nen tang", "system": "he thong",
    "systems": "he thong", "software": "phan mem", "hardware": "phan cung", "skills": "ky nang",
    "framework": "khung", "school": "truong", "schools": "nha truong", "teachers": "giao vien",
    "students": "hoc sinh", "workers": "cong nhan nguoi lao dong", "women": "phu nu", "farmers": "nong dan",
    "veterans": "cuu chien binh", "union_members": "doan vien", "problems": "kho khan vuong mac",
    "difficulties": "kho khan vuong mac", "obstacles": "vuong mac", "arise": "phat sinh", "arising": "phat sinh",
    "propose": "de xuat", "proposals": "de xuat", "recommend": "kien nghi", "reward": "khen thuong",
    "rewards": "khen thuong", "discipline": "ky luat", "inspection": "kiem tra", "inspect": "kiem tra",
    "supervise": "giam sat", "supervision": "giam sat", "guidance": "huong dan", "guide": "huong dan",
    "shorten": "rut ngan", "reduce": "giam cat giam", "cut": "cat giam", "average": "trung binh",
    "receipt": "tiep nhan", "receive": "tiep nhan", "return": "tra ket qua", "paperwork": "giay to",
    "copies": "ban sao", "certified": "chung thuc", "signature": "chu ky so", "identification": "dinh danh",
    "vneid": "vneid", "residents": "dan cu", "population": "dan cu", "ai": "tri tue nhan tao",
    "artificial": "tri tue nhan tao", "intelligence": "tri tue nhan tao", "virtual": "ao", "assistant": "tro ly",
    "recognition": "nhan dang", "automation": "tu dong", "automatically": "tu dong", "personalized": "ca nhan hoa",
    "personalised": "ca nhan hoa", "steering": "chi dao", "working": "to cong tac", "group": "to nhom",
    "rapid": "nhanh", "response": "phan ung", "incident": "su co", "incidents": "su co", "attack": "tan cong",
    "attacks": "tan cong", "power": "dien", "outage": "mat dien", "backup_plan": "phuong an du phong",
    "contingency": "du phong", "plan_b": "du phong", "consumer": "nguoi tieu dung", "association": "hiep hoi", "team": "to", "teams": "to", "fee": "phi le phi", "fees": "phi le phi",
}

_WANTS = {
    "date": r"\b(khi nao|bao gio|ngay nao|thang nao|thoi han|han chot|truoc ngay|when|deadline|by what date|"
            r"date|thoi gian hoan thanh|hoan thanh truoc|due|thoi gian nao|luc nao|by when|timeline|time frame|"
            r"moc nao|moc thoi gian|den khi nao|thoi diem nao|what time|timeframe)\b",
    "percent": r"\b(ty le|phan tram|percentage|percent|what share|share of|what proportion)\b|%",
    "number": r"\b(bao nhieu|may|how many|how much|ty le|percentage|percent|what share|so luong|muc tieu)\b|%",
    "agency": r"\b(ai|co quan nao|don vi nao|who|which (agency|unit|body|office|department)|chu tri|phu trach|"
              r"giao cho|responsible)\b",
    "signer": r"\b(ai ky|nguoi ky|who signed|signed by|signer|ky ke hoach|ky ban hanh)\b",
    "issuance": r"\b(so hieu|ky hieu|ban hanh|issued|issue date|plan number|what number|so may)\b",
    "code": r"\b(so hieu|van ban nao|quyet dinh nao|ke hoach nao|which (decision|document|plan)|"
            r"what (decision|document)|implements?|thuc hien .* nao|so may)\b",
}
_LIST_ASK = re.compile(r"\b(nhung ke hoach|cac ke hoach|ke hoach nao|which plans|what plans|which of the plans|"
                       r"plans? (that|which|where)|each plan|moi ke hoach|tung ke hoach|cac dia phuong|"
                       r"dia phuong nao|which localit\w*|moi noi|so sanh|compare\w*|compared)\b")
_FOLLOW_UP = re.compile(r"^(?:con|va|what about|how about|and|the con)\b.*?(?:thi sao|the nao|\?|$)")
_PLACE = re.compile(r"\b(xa|phuong|tinh|huyen|thanh pho)\s+"
                    r"([a-z]+(?:\s+[a-z]+){0,2})")
STOP = set(["a", "ai", "anh", "biet", "bi", "boi", "cac", "cai", "can", "cho", "chua", "co", "con", "cua", "cung", "da", "dang", "de", "den", "do", "duoc", "gi", "ha", "hay", "he", "hon", "khi", "khong", "la", "lam", "len", "ma", "moi", "mot", "nao", "neu", "nha", "nhieu", "nhu", "nhung", "noi", "o", "phai", "ra", "roi", "sao", "se", "so", "tai", "the", "thi", "theo", "toi", "trong", "tu", "va", "ve", "vi", "voi", "vao", "viec", "nhat", "nay", "kia", "day", "nguoi", "ke", "hoach", "theo", "nhu", "thuc", "hien", "the", "of", "and", "to", "in", "for", "by", "what", "which", "who", "whom", "when", "how", "does", "do", "is", "are", "must", "should", "be", "a", "an", "on", "with", "about", "that", "this", "these", "those", "any", "have", "has", "from", "at", "as", "it", "its", "their", "they", "there", "was", "were", "will", "can"]) - {"an"}
STOP_VI = set(["à", "ai", "anh", "biết", "bị", "bởi", "các", "cái", "cần", "cho", "chưa", "có", "còn", "của", "cùng", "đã", "đang", "để", "đến", "đó", "được", "gì", "hả", "hay", "hơn", "khi", "không", "là", "làm", "lên", "mà", "mới", "một", "nào", "nếu", "nhà", "nhiều", "như", "những", "nơi", "ở", "phải", "ra", "rồi", "sao", "sẽ", "số", "tại", "thế", "thì", "theo", "tôi", "trong", "từ", "và", "về", "vì", "với", "vào", "việc", "nhất", "này", "kia", "đây", "người", "kế", "hoạch", "thực", "hiện"])
# Words that say what kind of answer is wanted (a time), not what it is about: they select, they do not match.
TYPE_WORDS = {"truoc", "ngay", "thoi", "gian", "han", "khi", "nao", "luc", "gio", "when", "deadline", "date", "cuoi",
              "het", "due", "end", "tasks", "task"}


@dataclass(frozen=True)
class Analysis:
    """What the answerer needs to know about a question."""

    question: str  # as asked (NFC, collapsed)
    effective: str  # after follow-up resolution
    language: str
    plan_ids: tuple[str, ...]  # plans the question names
    unknown_place: str  # a named locality with no plan in the corpus, else ""
    wants: tuple[str, ...]  # date / number / agency / code
    terms: tuple[str, ...]  # folded content syllables, English glossed to Vietnamese
    entities: tuple[str, ...]  # dates / codes / numbers in the question
    expansion: str  # folded Vietnamese text added for English questions
    search: str = ""  # the text to retrieve with: `effective` without the named plans' place names
    per_plan: bool = False  # the answer is a list over plans ("which plans …?", two plans named): search each
    counted: str = ""  # what "how many" counts, folded Vietnamese ("dich vu" for "bao nhiêu dịch vụ …")
    count_lead: str = ""  # the words before "bao nhiêu", folded ("cung cap" for "cung cấp bao nhiêu …")


_LEVEL_WORDS = {"xa", "phuong", "tinh", "commune", "ward", "province", "cua", "of", "the", "o", "tai", "in"}
_WORD = re.compile(r"[^\W_]+(?:'s)?|\S")


def strip_places(text: str, plans: Sequence[PlanMeta], plan_ids: Sequence[str]) -> str:
    """`text` without the localities of the named plans (and their level word): the plan filter already
    restricts the search to them, and their names would only pull letterheads and signature blocks up."""
    names = sorted({tuple(fold(a).split()) for m in plans if m.plan_id in plan_ids for a in (*m.aliases, m.locality)
                    if a}, key=len, reverse=True)
    if not names:
        return text
    tokens = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    drop: set[int] = set()
    i = 0
    while i < len(tokens):
        for name in names:
            n = len(name)
            if tuple(t[2] for t in tokens[i:i + n]) == name:
                drop.update(range(i, i + n))
                # "xã Sa Thầy", "Sa Thầy commune", "của tỉnh Đắk Lắk": the level word goes with the name.
                j = i - 1
                while j >= 0 and tokens[j][2] in _LEVEL_WORDS and j >= i - 2:
                    drop.add(j)
                    j -= 1
                if i + n < len(tokens) and (tokens[i + n][2].split() or [""])[0] in {"commune", "ward", "province"}:
                    drop.add(i + n)
                i += n - 1
                break
        i += 1
    parts: list[str] = []
    for k, (a, b, _) in enumerate(tokens):
        if k not in drop:
            gap = text[tokens[k - 1][1]:a] if k and k - 1 not in drop else " "
            parts.append(gap + text[a:b])
    stripped = collapse("".join(parts))
    # Too little left ("Dương Kinh?") means the place was the question: keep it whole.
    return stripped if len(stripped.split()) >= 3 else text


_EN_BREAK = {"must", "does", "do", "is", "are", "should", "will", "has", "have", "did", "can", "in", "on", "of",
             "for", "to", "by", "the", "a", "an", "were", "was", "and", "or", "that", "which"}


def counted_noun(effective: str, language: str) -> str:
    """What a "how many" question counts, as folded Vietnamese: the two syllables after "bao nhiêu", or the
    glossed head noun of "how many online public services"."""
    if language == "en":
        m = re.search(r"\bhow many\s+((?:[a-z'-]+\s*){1,4})", effective.lower())
        if not m:
            return ""
        words: list[str] = []
        for word in m.group(1).split():
            if word in _EN_BREAK:
                break
            words.append(word)
        # English puts the head noun last ("online public services").
        return GLOSSARY.get(words[-1], "") if words else ""
    m = re.search(r"\b(?:bao nhieu|may)\s+([a-z]+(?:\s+[a-z]+)?)", fold(effective))
    if not m or m.group(1).split()[0] in {"phan", "la", "ty", "nam", "thi", "va", "o", "tai", "trong"}:
        return ""
    return m.group(1)


def count_lead(effective: str, language: str) -> str:
    """The two folded words before "bao nhiêu"/"mấy" (the verb of a Vietnamese "how many" question), or ""."""
    if language == "en":
        return ""
    m = re.search(r"((?:[a-z]+\s+){1,2})(?:bao nhieu|may)\s", fold(effective))
    return " ".join(m.group(1).split()) if m else ""


def validate(question: str) -> str:
    """NFC + collapse, or a QuestionError with the limits."""
    text = collapse(nfc(question or ""))
    if not text:
        raise QuestionError("Câu hỏi trống. / The question is empty: type a question about the plans.")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"Câu hỏi quá dài ({len(text)} ký tự, tối đa {MAX_QUESTION_CHARS}). / The question is "
                            f"{len(text)} characters long; the limit is {MAX_QUESTION_CHARS}. Shorten it.")
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("Câu hỏi không có chữ nào. / The question has no words.")
    return text


def find_plans(folded_question: str, plans: Sequence[PlanMeta]) -> list[str]:
    """Plans whose locality, alias or number the question mentions."""
    found: list[str] = []
    padded = f" {folded_question} "
    for meta in plans:
        names = {fold(a) for a in (*meta.aliases, meta.locality) if a}
        names |= {n.replace(" ", "") for n in names}
        number = fold(meta.number.split("/")[0]) if meta.number and meta.number[0].isdigit() else ""
        by_number = bool(number) and (f" so {number} " in padded or f" {number} kh ubnd " in padded)
        if any(f" {n} " in padded for n in names if n) or by_number:
            found.append(meta.plan_id)
    return found


_PLACE_EN = re.compile(r"\b((?:[A-ZĐ][\w]*\s+){1,3})(ward|commune|province|district)\b")


def _unknown_place(folded_question: str, plans: Sequence[PlanMeta], question: str = "") -> str:
    known = {fold(a) for meta in plans for a in (*meta.aliases, meta.locality)}
    known |= {k.replace(" ", "") for k in known}
    for m in _PLACE_EN.finditer(question):
        # English puts the name first: "the Hoàn Kiếm ward plan".
        name = fold(m.group(1))
        if name and name not in known and name.split()[0] not in {"the", "which", "each", "what", "every"}:
            return f"{m.group(2)} {m.group(1).strip()}"
    for m in _PLACE.finditer(folded_question if detect_language(question or folded_question) != "en" else ""):
        words = m.group(2).split()
        candidates = {" ".join(words[:n]) for n in range(1, len(words) + 1)}
        if candidates & known or not any(len(w) > 1 for w in words):
            continue
        generic = {"nao", "do", "nay", "cua", "co", "phai", "va", "da", "se", "la", "trong", "the", "police",
                   "must", "have", "has", "level", "officials", "cong", "uy", "ban", "nhan", "dan"}
        if words[0] in generic or (len(words) == 1 and words[0] in generic):
            continue
        return f"{m.group(1)} {' '.join(words[:2])}"
    return ""


def analyse(question: str, plans: Sequence[PlanMeta], history: Sequence[str] = ()) -> Analysis:
    """Analyse a validated question in the context of earlier questions of the conversation."""
    text = validate(question)
    folded = fold(text)
    plan_ids = find_plans(folded, plans)
    effective = text
    if history and _FOLLOW_UP.match(folded) and len(folded.split()) <= 12:
        previous = history[-1]
        prev_folded = fold(previous)
        prev_plans = find_plans(prev_folded, plans)
        if plan_ids and prev_plans:
            # Replace the earlier locality with the new one: "còn xã Sa Thầy thì sao?"
            new_meta = next(m for m in plans if m.plan_id == plan_ids[0])
            effective = previous
            for meta in plans:
                if meta.plan_id in prev_plans:
                    for name in sorted({meta.label, *meta.aliases, meta.locality}, key=len, reverse=True):
                        effective = re.sub(re.escape(name), new_meta.label, effective, flags=re.IGNORECASE)
            if effective == previous:
                effective = f"{previous} ({new_meta.label})"
        elif plan_ids:
            effective = f"{previous} ({text})"
        else:
            effective = f"{previous} {text}"
    elif history and not plan_ids and len(folded.split()) <= 4:
        effective = f"{history[-1]} {text}"
    language = detect_language(text)
    eff_folded = fold(effective)
    if effective != text and not plan_ids:
        plan_ids = find_plans(eff_folded, plans)
    expansion = ""
    if language == "en":
        tokens = re.findall(r"[^\W_]+", effective.lower())
        expansion = " ".join(GLOSSARY[w] for w in tokens if w in GLOSSARY)
        # English words are not OCR-folded ("what" would become "uhat"): keep them plain, add the glossary.
        # Vietnamese words quoted inside English ("leads (chủ trì)") are folded and kept as they are.
        english = [w if w.isascii() else fold(w) for w in tokens if w not in GLOSSARY]
        words = [w for w in (*english, *expansion.split()) if w not in STOP and len(w) > 1]
    elif language == "vi":
        # With diacritics the stop words are unambiguous: "đang" is one, "đăng nhập" and "Sở" are not.
        # "bao giờ / bao nhiêu / bao lâu" ask when / how many (not the "bao" of "báo cáo"); in "năm 2026" the
        # year is matched as an entity, and its "năm" would match every year in the plans.
        accented = re.sub(r"\bbao (giờ|nhiêu|lâu)\b|\bnăm (?=20\d\d\b)", " ", effective.lower())
        words = [w for w in (fold(t) for t in re.findall(r"[^\W_]+", accented) if t not in STOP_VI) if len(w) > 1]
    else:
        question_words = re.sub(r"\bbao (gio|nhieu|lau)\b|\bnam (?=20\d\d\b)", " ", eff_folded)
        words = [w for w in question_words.split() if w not in STOP and len(w) > 1]
    words = [w for w in words if w not in TYPE_WORDS]
    plan_words = {w for meta in plans if meta.plan_id in plan_ids for a in (*meta.aliases, meta.locality)
                  for w in fold(a).split()}
    content = tuple(dict.fromkeys(w for w in words if w not in plan_words))
    probe = f"{eff_folded} {effective.lower()} {expansion}"
    wants = tuple(k for k, pattern in _WANTS.items() if re.search(pattern, probe))
    if "issuance" in wants and re.search(r"\b(de (trien khai|thuc hien)|nham|implement|carry out|han|deadline|"
                                         r"thong tu|nghi dinh|quyet dinh|cong van|circular|decree|decision|"
                                         r"phai ban hanh|must issue|ke hoach hanh dong)\b", probe):
        wants = tuple(w for w in wants if w != "issuance")  # "issued to implement which plan?" asks for a plan
    # A named plan's own number identifies the plan; it is not something the answer must contain.
    own = {re.sub(r"[^a-z0-9]+", "-", fold(m.number)).strip("-") for m in plans if m.plan_id in plan_ids and m.number}
    found_entities = tuple(e for e in entities(effective) if e not in own)
    return Analysis(question=text, effective=effective, language=language, plan_ids=tuple(plan_ids),
                    unknown_place="" if plan_ids else _unknown_place(eff_folded, plans, effective), wants=wants,
                    terms=content, entities=found_entities, expansion=expansion,
                    search=strip_places(effective, plans, plan_ids),
                    counted=counted_noun(effective, language), count_lead=count_lead(effective, language),
                    per_plan=len(plan_ids) >= 2 or (not plan_ids and bool(_LIST_ASK.search(probe))))
