"""What each API endpoint does. The pipeline's work runs in a thread so the server stays responsive."""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from reportgen.batch.run import INPUT_SUFFIXES, BatchOptions
from reportgen.errors import InputError, UsageError
from reportgen.serve.limits import Limits
from reportgen.serve.upload import Upload, read_upload
from reportgen.serve.workspace import OFFICE_SUFFIXES, Session, Workspaces, check_office_file, extract_zip

DRAFT_SUFFIXES = (".md", ".markdown", ".txt", ".docx")
FORM_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".xlsm", ".docx", ".txt", ".tsv")
BATCH_FORMATS = ("md", "docx", "pdf")


class NotFound(UsageError):
    status = 404


def _one(upload: Upload, field: str, suffixes: tuple[str, ...], what: str, limits: Limits, required: bool = True) -> Any:
    files = upload.files_of(field)
    if not files:
        if required:
            raise UsageError(f"请选择{what}", hint="可以拖入文件，或点击选择")
        return None
    file = files[0]
    if Path(file.name).suffix.lower() not in suffixes:
        raise InputError(f"不支持的文件类型“{Path(file.name).suffix or '无扩展名'}”", where=file.name,
                         hint="支持的格式：" + "、".join(suffixes))
    if file.path.suffix.lower() in OFFICE_SUFFIXES:
        check_office_file(file.path, limits, file.name)
    return file


def attachment(data: bytes | Path, name: str, media_type: str) -> Response:
    """A download with the Chinese file name (RFC 5987) and an ASCII fallback."""
    ascii_name = name if name.isascii() else "reportgen" + Path(name).suffix
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    if isinstance(data, Path):
        return FileResponse(data, media_type=media_type, headers={"Content-Disposition": disposition})
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


class Handlers:
    def __init__(self, workspaces: Workspaces, limits: Limits) -> None:
        self.workspaces = workspaces
        self.limits = limits

    # 生成报告 ----------------------------------------------------------------------------------
    async def generate(self, request: Request, session: Session) -> Response:
        from reportgen.serve.draft import Draft, check_outline

        folder = session.new_folder("form")
        try:
            upload = await read_upload(request, folder, self.limits)
            file = _one(upload, "form", FORM_SUFFIXES, "自评表文件", self.limits)
            outline = check_outline(upload.fields.get("outline", "default") or "default")

            def work() -> dict[str, Any]:
                draft = Draft.from_file(file.path, file.name, outline)
                view = draft.run()
                session.state["draft"] = draft
                return view

            view = await run_in_threadpool(work)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        # the form is in memory now; only the latest upload's file is kept
        previous, session.state["draft_folder"] = session.state.get("draft_folder"), folder
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
        return JSONResponse(view)

    async def fill(self, request: Request, session: Session) -> Response:
        from reportgen.serve.draft import check_outline

        draft = session.state.get("draft")
        if draft is None:
            raise NotFound("还没有上传自评表", hint="请先在“生成报告”中选择自评表")
        body = await request.body()
        if len(body) > self.limits.field_bytes * 8:
            raise UsageError("填写的内容过长", hint="请精简后再提交")
        try:
            data = json.loads(body or b"{}")
        except ValueError as exc:
            raise UsageError("提交的内容无法解析", hint="请刷新页面后重试") from exc
        fills = data.get("fills") or {}
        if not isinstance(fills, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in fills.items()):
            raise UsageError("提交的内容格式不对", hint="请刷新页面后重试")
        outline = check_outline(str(data.get("outline") or draft.outline))

        def work() -> dict[str, Any]:
            previous = (dict(draft.fills), draft.outline)
            # a gap answered earlier keeps its text even when its field has left the form
            draft.fills = {**draft.fills, **fills}
            draft.outline = outline
            try:
                return draft.run()
            except Exception:
                draft.fills, draft.outline = previous
                raise

        return JSONResponse(await run_in_threadpool(work))

    async def download(self, request: Request, session: Session) -> Response:
        draft = session.state.get("draft")
        kind = request.path_params["kind"]
        if kind not in ("docx", "pdf", "md", "xlsx"):
            raise NotFound(f"没有“{kind}”这种下载", hint="可下载 Word、PDF、Markdown 或填好的自评表")
        if draft is None or draft.report is None:
            raise NotFound("还没有生成报告", hint="请先在“生成报告”中选择自评表")
        data, name, media = await run_in_threadpool(draft.download, kind)
        return attachment(data, name, media)

    # 检查报告 ----------------------------------------------------------------------------------
    async def check(self, request: Request, session: Session) -> Response:
        folder = session.new_folder("check")
        try:
            return await self._check(request, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)  # the result is on the page; the files are not kept

    async def _check(self, request: Request, folder: Path) -> Response:
        upload = await read_upload(request, folder, self.limits)
        draft = _one(upload, "draft", DRAFT_SUFFIXES, "要检查的报告", self.limits)
        form = _one(upload, "form", FORM_SUFFIXES, "自评表", self.limits, required=False)

        def work() -> dict[str, Any]:
            from reportgen.checking import checker
            from reportgen.checking.result import KIND_LABEL

            chk = checker()
            result = chk.check(draft.path, data=form.path if form else None)
            lexicon = chk.lexicon
            present = {(p.group, p.section): p for p in result.present}
            missing = {(p.group, p.section) for p in result.problems if p.kind == "missing-term"}
            terms = []
            for g in lexicon.groups:
                key = (g.id, g.section)
                if key in present:
                    p = present[key]
                    status, found = "present", f"“{p.term}”（第{p.line}{result.line_unit}）"
                elif key in missing:
                    status, found = ("missing" if g.level == "required" else "advised"), ""
                else:
                    status, found = "na", ""
                terms.append({"section": lexicon.label(g.section), "name": g.name, "status": status, "found": found,
                              "level": g.level})
            problems = [
                {
                    "kind": p.kind,
                    "label": KIND_LABEL[p.kind] + ("（数据缺失）" if p.forced else ""),
                    "severity": p.severity,
                    "section": lexicon.label(p.section) if p.section else "全文",
                    "heading": p.heading or "",
                    "line": p.line,
                    "message": p.message.replace(str(draft.path.parent) + "/", ""),
                    "suggestion": p.suggestion,
                }
                for p in result.problems
            ]
            facts = [p for p in problems if p["kind"] in ("fact-mismatch", "deduction-not-mentioned")]
            return {
                "draft": draft.name,
                "form": form.name if form else "",
                "ok": result.ok,
                "summary": result.summary_line(),
                "line_unit": result.line_unit,
                "facts_checked": result.facts_checked,
                "terms": terms,
                "problems": problems,
                "facts": facts,
            }

        return JSONResponse(await run_in_threadpool(work))

    # 批量生成 ----------------------------------------------------------------------------------
    async def start_batch(self, request: Request, session: Session) -> Response:
        from reportgen.serve.draft import check_outline
        from reportgen.serve.jobs import BatchJob

        batches = session.state.setdefault("batches", {})
        if any(job.running() for job in batches.values()):
            raise UsageError("上一批还在生成中", hint="请等它完成后再开始新的一批")
        if sum(job.running() for s in self.workspaces.sessions() for job in s.state.get("batches", {}).values()) >= 2:
            raise UsageError("服务器上已有两批正在生成", hint="请稍候再试")
        for old in list(batches)[:-2]:  # keep the last two finished batches' files; older ones go
            batches.pop(old).remove()
        folder = session.new_folder("batch")
        upload = await read_upload(request, folder / "upload", self.limits)
        files = upload.files_of("files")
        if not files:
            raise UsageError("请选择要批量生成的自评表或 zip 压缩包", hint="可以一次拖入多个文件")
        inputs_dir = folder / "in"
        inputs_dir.mkdir()
        skipped: list[str] = []
        for file in files:
            suffix = Path(file.name).suffix.lower()
            if suffix == ".zip":
                extract_zip(file.path, inputs_dir / Path(file.path.name).stem, self.limits, file.name)
            elif suffix in INPUT_SUFFIXES or suffix == ".xlsm":
                file.path.rename(inputs_dir / file.path.name)
            else:
                skipped.append(file.name)
        inputs = sorted(p for p in inputs_dir.rglob("*") if p.is_file() and p.suffix.lower() in (*INPUT_SUFFIXES, ".xlsm"))
        if not inputs:
            raise UsageError("没有找到可处理的自评表", hint="支持 " + "、".join(INPUT_SUFFIXES) + "，以及装有这些文件的 zip")
        formats = tuple(f for f in (upload.fields.get("formats") or "md,docx").split(",") if f in BATCH_FORMATS) or ("md",)
        outline = check_outline(upload.fields.get("outline", "default") or "default")
        options = BatchOptions(outdir=folder / "out", formats=formats, outline=outline)
        job_id = secrets.token_hex(6)
        job = BatchJob(job_id, folder, inputs, options, len(inputs))
        batches[job_id] = job
        return JSONResponse({"id": job_id, "total": len(inputs), "skipped": skipped})

    def _job(self, request: Request, session: Session) -> Any:
        job = session.state.get("batches", {}).get(request.path_params["job"])
        if job is None:
            raise NotFound("找不到这次批量生成", hint="服务器可能已重启，请重新上传")
        return job

    async def batch_status(self, request: Request, session: Session) -> Response:
        job = self._job(request, session)
        return JSONResponse(await run_in_threadpool(job.status))

    async def batch_zip(self, request: Request, session: Session) -> Response:
        job = self._job(request, session)
        status = await run_in_threadpool(job.status)
        if not status["finished"]:
            raise UsageError("批量生成尚未完成", hint="请等待进度条走完")
        path: Path = await run_in_threadpool(job.archive)
        return attachment(path, "批量生成的报告.zip", "application/zip")
