#!/usr/bin/env bash
# Install, then produce the seed project's report into out/ (or the folder given).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
outdir="${1:-out}"
.venv/bin/reportgen validate examples/社会保障专项-2020.yaml
# the seed lacks one deviation cause, so its check reports a placeholder (exit 1): the report is still written
.venv/bin/reportgen render examples/社会保障专项-2020.yaml -o "$outdir" --format md,html,pdf,docx || [ $? -eq 1 ]
echo "报告已写入 $outdir/"
ls -1 "$outdir"
# the last line says why the check did not pass and what to do, read from the check result itself
.venv/bin/python - "$outdir" <<'EOF'
import json
import sys
from pathlib import Path

for path in sorted(Path(sys.argv[1]).glob("*.check.json")):
    result = json.loads(path.read_text(encoding="utf-8"))
    if result["ok"]:
        print("检查通过：报告写到了全部必备用语，没有待补充项。")
        continue
    forced = [p["term"] for p in result["problems"] if p["kind"] == "placeholder" and p.get("forced")]
    others = [p for p in result["problems"] if p["severity"] == "error" and not (p["kind"] == "placeholder" and p.get("forced"))]
    if forced and not others:
        print(f"检查未通过的原因：自评表缺少内容，报告中留下了 {len(forced)} 处待补充（{'、'.join(forced)}）；"
              "请在自评表中补上这项内容后重新运行，或直接在报告中补写后用 reportgen check 复查。")
    else:
        print(f"检查未通过的原因：{others[0]['message'] if others else result['summary']}；"
              f"详见 {path.name}，修改后用 reportgen check 复查。")
EOF
