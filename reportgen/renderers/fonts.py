"""Choose the CJK fonts a PDF is set in, check they can draw the text, and pre-subset them.

Fonts are found through fontconfig (``fc-list``, which ships with the ``fontconfig`` package that
Pango itself depends on), one face per *role*: ``body`` (仿宋 or 宋体, else Noto Serif CJK SC),
``bold`` (title, （一） without a 楷体 face, table headers), ``hei`` (一、 headings) and the optional
``kai`` (（一） headings). Fewer faces make faster PDFs, so roles share faces where they can.

Pre-subsetting: WeasyPrint subsets every font it embeds, but starting from a 20–27 MB CJK
collection costs time and memory on every document. Cutting each face once to GB2312 plus the
symbols seen on real forms (HarfBuzz, ~0.3 s a face, cached on disk) makes each document faster;
characters outside that set fall back to the full system face named next in the CSS stack.

Coverage: which characters the chosen faces can draw comes from fontconfig's charsets (already
indexed, cheap), not from parsing 20 MB cmaps in Python (which cost ~100 MB of memory).

Nothing here imports WeasyPrint: the checks must run (and fail clearly) before it loads.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from reportgen.errors import RenderError

FONT_PACKAGE = "fonts-noto-cjk"
INSTALL_HINT = (
    f"请安装中文字体软件包 {FONT_PACKAGE}（Debian/Ubuntu：sudo apt-get install {FONT_PACKAGE}，"
    "或运行 scripts/setup.sh），也可以用 --font 指定一个仿宋或宋体字体文件"
)

# Family names per role, best first (compared case-insensitively with every name fontconfig lists).
# 仿宋 is what GB/T 9704 prescribes for body text, 宋体 the usual substitute.
FANGSONG = ("FangSong", "仿宋", "FangSong_GB2312", "仿宋_GB2312", "STFangsong", "华文仿宋", "方正仿宋_GBK",
            "方正仿宋简体")
SONGTI = ("SimSun", "宋体", "NSimSun", "新宋体", "STSong", "华文宋体", "方正书宋_GBK")
NOTO_SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "思源宋体", "Noto Serif SC")
HEITI = ("SimHei", "黑体", "STHeiti", "华文黑体", "方正黑体_GBK", "方正黑体简体")
NOTO_SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "思源黑体", "Noto Sans SC")
KAITI = ("KaiTi", "楷体", "KaiTi_GB2312", "楷体_GB2312", "STKaiti", "华文楷体", "方正楷体_GBK", "方正楷体简体")

ROLES = ("body", "bold", "hei", "kai")

# Symbols seen on real forms (≧ ═ ﹦ ～ …) and punctuation a report prints, beyond GB2312.
_EXTRA_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x214F), (0x2150, 0x218F),
                 (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF),
                 (0x2600, 0x26FF), (0x3000, 0x303F), (0x3200, 0x33FF), (0xFE30, 0xFE4F), (0xFE50, 0xFE6F),
                 (0xFF00, 0xFFEF))
SUBSET_VERSION = "gb2312+symbols-nolayout-2"  # bump when the subset's content changes, to refresh caches


@dataclass(frozen=True)
class Face:
    """One font face on disk: a file (and index inside a collection) with its family names."""

    path: Path
    index: int
    families: tuple[str, ...]
    style: str
    weight: int  # fontconfig weight: 80 regular, 200 bold
    charset: str = field(default="", compare=False, repr=False)  # fontconfig's ranges: "20-7e a0-ff 4e00 …"

    @property
    def family(self) -> str:
        """The first (usually Latin) family name, as CSS should name it."""
        return self.families[0]

    @property
    def bold(self) -> bool:
        return self.weight >= 180

    def describe(self) -> str:
        return f"{self.family} {self.style}（{self.path}{'' if self.index == 0 else f'#{self.index}'}）"


@dataclass(frozen=True)
class FontSet:
    """The face chosen for each role, plus the system faces that back up pre-subset copies."""

    faces: dict[str, Face]  # role → face; "kai" is absent when no 楷体 face is installed
    user_font: Path | None = None
    notes: tuple[str, ...] = field(default=())  # which preferred faces were missing, for doctor

    def unique_faces(self) -> list[Face]:
        seen: dict[tuple[Path, int], Face] = {}
        for face in self.faces.values():
            seen.setdefault((face.path, face.index), face)
        return list(seen.values())


# --- fontconfig -------------------------------------------------------------------------------

_FC_FORMAT = "%{file}\\t%{index}\\t%{family}\\t%{style}\\t%{weight}\\t%{charset}\\n"


def _run_fc(args: list[str]) -> str:
    exe = shutil.which(args[0])
    if exe is None:
        raise RenderError(
            f"找不到 {args[0]}，无法查询系统字体",
            hint=f"请安装 fontconfig 和 {FONT_PACKAGE}（sudo apt-get install fontconfig {FONT_PACKAGE}）",
        )
    try:
        done = subprocess.run([exe, *args[1:]], capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"查询系统字体失败：{exc}", hint=INSTALL_HINT) from exc
    return done.stdout.decode("utf-8", "replace")


def _parse_faces(listing: str) -> list[Face]:
    faces = []
    for line in listing.splitlines():
        parts = line.split("\t")
        if len(parts) != 6 or not parts[0]:
            continue
        file, index, families, style, weight, charset = parts
        try:
            weights = [int(float(w)) for w in weight.strip("[] ").split()]
        except ValueError:
            weights = []
        weight_value = weights[0] if len(weights) == 1 else 80  # a variable font lists its range: treat as regular
        faces.append(Face(
            path=Path(file),
            index=int(index or 0),
            families=tuple(name.strip() for name in families.split(",") if name.strip()),
            style=style.split(",")[0].strip() or "Regular",
            weight=weight_value,
            charset=charset,
        ))
    # sorted so the choice never depends on the order fontconfig happens to list files in
    return sorted((f for f in faces if f.families), key=lambda f: (str(f.path), f.index))


@cache
def cjk_faces() -> tuple[Face, ...]:
    """All faces fontconfig says can set Chinese (``fc-list :lang=zh``)."""
    return tuple(_parse_faces(_run_fc(["fc-list", "--format", _FC_FORMAT, ":lang=zh"])))


@cache
def default_zh_face() -> Face | None:
    """The face fontconfig itself would use for simplified Chinese (``fc-match :lang=zh-cn``)."""
    matched = _parse_faces(_run_fc(["fc-match", "--format", _FC_FORMAT, ":lang=zh-cn"]))
    return matched[0] if matched else None


def _pick(faces: Iterable[Face], names: Iterable[str], *, bold: bool | None) -> Face | None:
    """The first face whose family is in ``names`` (in their order), preferring the wanted weight."""
    faces = list(faces)
    for name in names:
        wanted = name.casefold()
        matches = [f for f in faces if any(n.casefold() == wanted for n in f.families)]
        if not matches:
            continue
        if bold is not None:
            matches.sort(key=lambda f: (f.bold != bold, abs(f.weight - (200 if bold else 80))))
        return matches[0]
    return None


def choose_fonts(user_font: Path | None = None, *, faces: Iterable[Face] | None = None) -> FontSet:
    """Choose one face per role among the installed CJK faces (and the user's ``--font`` file).

    Raises RenderError naming the font package when no CJK face is installed at all.
    """
    installed = list(cjk_faces() if faces is None else faces)
    user_face = load_user_font(user_font) if user_font is not None else None
    if not installed and user_face is None:
        raise RenderError("系统中没有可用的中文字体，生成的 PDF 会是一片方框", hint=INSTALL_HINT)
    notes = []
    fangsong = _pick(installed, FANGSONG, bold=False)
    songti = _pick(installed, SONGTI, bold=False)
    noto_serif = _pick(installed, NOTO_SERIF, bold=False)
    fallback = noto_serif or _pick(installed, NOTO_SANS, bold=False) or _any_zh(installed)
    body = user_face or fangsong or songti or fallback
    assert body is not None  # installed or user_face is non-empty here
    if fangsong is None and user_face is None:
        notes.append("未找到仿宋字体，正文改用" + ("宋体" if songti else (fallback.family if fallback else "—")))
    bold = _pick(installed, NOTO_SERIF, bold=True)
    if bold is None or not bold.bold:
        bold = _pick(installed, NOTO_SANS, bold=True) or bold or body
    hei = _pick(installed, HEITI, bold=None) or _pick(installed, NOTO_SANS, bold=True) or bold
    if _pick(installed, HEITI, bold=None) is None:
        notes.append(f"未找到黑体字体，一级标题改用{hei.family}")
    kai = _pick(installed, KAITI, bold=False)
    if kai is None:
        notes.append("未找到楷体字体，二级标题改用粗体")
    chosen = {"body": body, "bold": bold, "hei": hei}
    if kai is not None:
        chosen["kai"] = kai
    return FontSet(faces=chosen, user_font=user_font, notes=tuple(notes))


def _any_zh(installed: list[Face]) -> Face | None:
    """Some installed CJK face, the one fontconfig prefers for zh-CN when it is among them."""
    if not installed:
        return None
    preferred = default_zh_face()
    for face in installed:
        if preferred is not None and (face.path, face.index) == (preferred.path, preferred.index):
            return face
    return installed[0]


def load_user_font(path: Path) -> Face:
    """Check a ``--font`` file with fontconfig's own reader: it exists, is a font, and can set Chinese."""
    where = str(path)
    if not path.is_file():
        raise RenderError("找不到指定的字体文件", where=where, hint="请检查 --font 的路径")
    faces = _parse_faces(_run_fc(["fc-query", "--format", _FC_FORMAT, str(path.resolve())]))
    if not faces:
        raise RenderError("无法读取字体文件", where=where,
                          hint="--font 需要 TrueType/OpenType 字体文件（.ttf、.otf 或 .ttc）")
    face = min(faces, key=lambda f: f.index)
    covered = Coverage.parse(face.charset)
    if not all(ord(ch) in covered for ch in "的年度绩效报告"):
        raise RenderError("指定的字体不含常用汉字，不能用于正文", where=where,
                          hint="请换用仿宋或宋体等中文字体文件")
    return face


# --- character coverage -------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """A set of code points kept as sorted ranges (a CJK face covers ~45,000 of them)."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def parse(cls, charset: str) -> Coverage:
        """Read fontconfig's charset notation: hex code points and ranges, ``"20-7e a0 4e00-9fff"``."""
        ranges = []
        for item in charset.split():
            first, _, last = item.partition("-")
            try:
                ranges.append((int(first, 16), int(last or first, 16)))
            except ValueError:
                continue
        return cls.of(ranges)

    @classmethod
    def of(cls, ranges: Iterable[tuple[int, int]]) -> Coverage:
        merged: list[list[int]] = []
        for first, last in sorted(ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        return cls(tuple(r[0] for r in merged), tuple(r[1] for r in merged))

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, int):
            return False
        i = bisect.bisect_right(self.starts, code) - 1
        return i >= 0 and code <= self.ends[i]

    def __len__(self) -> int:
        return sum(end - start + 1 for start, end in zip(self.starts, self.ends, strict=True))


def coverage(fontset: FontSet) -> Coverage:
    """Every code point some chosen face can draw, from fontconfig's charsets (no font is parsed here)."""
    ranges: list[tuple[int, int]] = []
    for face in fontset.unique_faces():
        parsed = Coverage.parse(face.charset)
        ranges.extend(zip(parsed.starts, parsed.ends, strict=True))
    return Coverage.of(ranges)


@dataclass(frozen=True)
class MissingChar:
    """A character no chosen font can draw, and where it is printed."""

    char: str
    line: int  # Markdown line (1-based)
    column: int  # character position in the printed text of that block (1-based)
    context: str

    def describe(self) -> str:
        return f"“{self.char}”（U+{ord(self.char):04X}）第{self.line}行第{self.column}字：{self.context}"


_IGNORED = {0x09, 0x0A, 0x0D, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}  # zero-width: nothing to draw


def missing_chars(runs: Iterable[tuple[int, str]], covered: Coverage) -> list[MissingChar]:
    """Find the characters of ``runs`` ((line, printed text) pairs) that ``covered`` lacks."""
    found = []
    for line, text in runs:
        for i, ch in enumerate(text):
            code = ord(ch)
            if code in covered or code in _IGNORED or ch.isspace():
                continue
            context = text[max(0, i - 8): i + 9].strip()
            found.append(MissingChar(ch, line, i + 1, context))
    return found


# --- pre-subsetting ---------------------------------------------------------------------------

@cache
def subset_codepoints() -> tuple[int, ...]:
    """GB2312 (every character it encodes) plus ASCII, Latin-1 and the symbol blocks forms use."""
    points: set[int] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    for start, end in _EXTRA_RANGES:
        points.update(range(start, end + 1))
    return tuple(sorted(points))


class _HarfBuzz:
    """The few HarfBuzz calls pre-subsetting needs, bound through cffi (which WeasyPrint uses too)."""

    CDEF = """
        typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
        typedef struct hb_set_t hb_set_t; typedef struct hb_subset_input_t hb_subset_input_t;
        typedef uint32_t hb_codepoint_t;
        hb_blob_t *hb_blob_create_from_file_or_fail(const char *file_name);
        void hb_blob_destroy(hb_blob_t *blob);
        const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
        hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
        void hb_face_destroy(hb_face_t *face);
        hb_blob_t *hb_face_reference_blob(hb_face_t *face);
        void hb_set_add_range(hb_set_t *set, hb_codepoint_t first, hb_codepoint_t last);
        hb_subset_input_t *hb_subset_input_create_or_fail(void);
        void hb_subset_input_destroy(hb_subset_input_t *input);
        hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
        void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned value);
        hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
        hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
        void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
        uint32_t hb_tag_from_string(const char *str, int len);
    """
    NO_HINTING = 0x00000001
    DROP_TABLE_TAG = 3  # hb_subset_sets_t
    # layout and vertical-writing tables: horizontal Chinese text shapes the same without them
    # (pages compared pixel for pixel), the copy is half the size and each document ~5 % faster
    DROP_TABLES = (b"GSUB", b"GPOS", b"BASE", b"JSTF", b"vhea", b"vmtx", b"VORG", b"DSIG")

    def __init__(self) -> None:
        from cffi import FFI

        self.ffi = FFI()
        self.ffi.cdef(self.CDEF)
        self.hb = self.ffi.dlopen("libharfbuzz.so.0")
        self.subset_lib = self.ffi.dlopen("libharfbuzz-subset.so.0")

    def subset(self, path: Path, index: int, codepoints: Iterable[int]) -> bytes | None:
        """Cut face ``index`` of ``path`` down to ``codepoints``; None when HarfBuzz refuses."""
        hb, hbs, ffi = self.hb, self.subset_lib, self.ffi
        blob = hb.hb_blob_create_from_file_or_fail(os.fsencode(path))
        if blob == ffi.NULL:
            return None
        face = hb.hb_face_create(blob, index)
        subset_input = hbs.hb_subset_input_create_or_fail()
        result = out_blob = ffi.NULL
        try:
            if subset_input == ffi.NULL:
                return None
            unicodes = hbs.hb_subset_input_unicode_set(subset_input)
            for first, last in _ranges(codepoints):
                hb.hb_set_add_range(unicodes, first, last)
            hbs.hb_subset_input_set_flags(subset_input, self.NO_HINTING)
            dropped = hbs.hb_subset_input_set(subset_input, self.DROP_TABLE_TAG)
            for tag in self.DROP_TABLES:
                hb.hb_set_add(dropped, hb.hb_tag_from_string(tag, -1))
            result = hbs.hb_subset_or_fail(face, subset_input)
            if result == ffi.NULL:
                return None
            out_blob = hb.hb_face_reference_blob(result)
            length = ffi.new("unsigned int *")
            data = hb.hb_blob_get_data(out_blob, length)
            return bytes(ffi.buffer(data, length[0])) if length[0] else None
        finally:
            if out_blob != ffi.NULL:
                hb.hb_blob_destroy(out_blob)
            if result != ffi.NULL:
                hb.hb_face_destroy(result)
            if subset_input != ffi.NULL:
                hbs.hb_subset_input_destroy(subset_input)
            hb.hb_face_destroy(face)
            hb.hb_blob_destroy(blob)


def _ranges(codepoints: Iterable[int]) -> Iterator[tuple[int, int]]:
    start = end = None
    for code in sorted(set(codepoints)):
        if end is not None and code == end + 1:
            end = code
            continue
        if start is not None and end is not None:
            yield start, end
        start = end = code
    if start is not None and end is not None:
        yield start, end


@cache
def harfbuzz() -> _HarfBuzz | None:
    """The HarfBuzz subsetter, or None when libharfbuzz-subset0 is not installed."""
    try:
        return _HarfBuzz()
    except (OSError, ImportError, AttributeError):
        return None


def cache_dir() -> Path:
    """Where reportgen keeps derived files (``REPORTGEN_CACHE_DIR`` overrides the platform default)."""
    override = os.environ.get("REPORTGEN_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("reportgen", appauthor=False))


def private_dir(path: Path) -> Path | None:
    """Create ``path`` (mode 700) and return it, or None when it is unusable or others can write to it.

    Fonts are parsed by native code, so a cache directory another user can write to is not trusted.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
    except OSError:
        return None
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
        return None
    return path if os.access(path, os.W_OK | os.X_OK) else None


def presubset(face: Face, directory: Path | None = None) -> Path | None:
    """Return a cached GB2312+symbols subset of ``face``, building it once; None when not possible.

    The cache key covers the file's identity (path, index, size, mtime) and SUBSET_VERSION, and the
    file is written under a temporary name then renamed, so parallel batch workers never read half
    a font.
    """
    subsetter = harfbuzz()
    if subsetter is None:
        return None
    try:
        stat = face.path.stat()
    except OSError:
        return None
    key = f"{face.path}|{face.index}|{stat.st_size}|{stat.st_mtime_ns}|{SUBSET_VERSION}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    target_dir = private_dir((directory or cache_dir()) / "fonts")
    if target_dir is None:
        return None  # an unusable cache only costs speed: render from the full face
    target = target_dir / f"{face.path.stem}-{face.index}-{digest}.otf"
    if target.is_file():
        return target
    data = subsetter.subset(face.path, face.index, subset_codepoints())
    if data is None:
        return None
    try:
        fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".font-", suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except OSError:
        return None
    for stale in target_dir.glob(f"{face.path.stem}-{face.index}-*.otf"):
        if stale != target:  # built from an older font file or subset version
            stale.unlink(missing_ok=True)
    return target


# --- the official faces (GB/T 9704) and what stands in for them -----------------------------------

XIAOBIAOSONG = ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "FZXiaoBiaoSong-B05")


@dataclass(frozen=True)
class Official:
    """One face GB/T 9704 names, what it sets, and the installed face found for it (None: missing)."""

    name: str
    use: str
    found: Face | None


def official_faces(faces: Iterable[Face] | None = None) -> list[Official]:
    """方正小标宋简体 (title), 黑体, 楷体_GB2312 and 仿宋_GB2312: which of them fontconfig has."""
    installed = list(cjk_faces() if faces is None else faces)
    return [
        Official("方正小标宋简体", "标题", _pick(installed, XIAOBIAOSONG, bold=None)),
        Official("黑体", "一级标题（一、）", _pick(installed, HEITI, bold=None)),
        Official("楷体_GB2312", "二级标题（（一））", _pick(installed, KAITI, bold=None)),
        Official("仿宋_GB2312", "正文", _pick(installed, FANGSONG, bold=None)),
    ]


def body_fallback_note(fontset: FontSet) -> str | None:
    """A sentence when the PDF body is not set in a 仿宋 face (None when it is, or --font gave one)."""
    if fontset.user_font is not None:
        return None
    body = fontset.faces["body"]
    if any(name.casefold() in {n.casefold() for n in FANGSONG} for name in body.families):
        return None
    return (f"未找到仿宋字体，PDF 正文改用 {body.family}；"
            "可用 --font 指定单位自有的仿宋字体文件，或安装仿宋字体后重新生成")


def desktop_substitute(name: str) -> str | None:
    """The face fontconfig gives for ``name`` in Chinese text: what LibreOffice and WPS on Linux will show."""
    matched = _parse_faces(_run_fc(["fc-match", "--format", _FC_FORMAT, f"{name}:lang=zh-cn"]))
    return matched[0].family if matched else None
