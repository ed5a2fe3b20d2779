"""A few grievance cases in 幸福里社区 at every stage of handling, so the demo moderator and grid
worker find work in their inbox and a resident can track one.

Each case is opened the way the wizard opens it (casework.submission.submit_report) and moved by
the case machine (casework.transitions), so its deadlines and events are real. The submission key
makes a second run find the case again instead of opening another.
"""

from dataclasses import dataclass

from alliance.models import Grid, GridArea
from casework.models import CaseCategory
from casework.submission import submit_report
from casework.transitions import MODERATOR, WORKER, perform, rate


@dataclass(frozen=True)
class CaseSpec:
    key: str
    category: str
    grid: str
    address: str
    description: str
    name: str
    mobile: str
    # (action, note) pairs taken in order after submission; "rate:<rating>" rates as the reporter.
    steps: tuple = ()
    # The street or building chosen in the wizard; "" when the resident chose 不清楚 (routed to 第一网格).
    area: str = ""


CASES = (
    CaseSpec(
        "demo-case-1",
        "cooking_fumes",
        "第一网格",
        "解放路东段 21 号",
        "一楼烧烤店的排烟口正对二楼窗户，每天傍晚到深夜油烟很大，家里不敢开窗。",
        "王秀兰",
        "13890000101",
        area="解放路东段",
    ),
    CaseSpec(
        "demo-case-2",
        "noise",
        "第一网格",
        "幸福里小区 2 号楼楼下",
        "楼下快递驿站的排风扇整夜运转，嗡嗡声很响，老人睡不着。",
        "赵德明",
        "13890000102",
        (("accept", "已受理，将派网格员上门查看。"),),
        area="幸福里小区 2 号楼",
    ),
    CaseSpec(
        "demo-case-3",
        "street_occupation",
        "第一网格",
        "解放路东段菜店门口",
        "菜店把货架摆到人行道上，推婴儿车和坐轮椅的居民只能走机动车道。",
        "刘桂芳",
        "13890000103",
        (("accept", "已受理。"), ("dispatch", "请今天下午到现场劝导。")),
        area="解放路东段",
    ),
    CaseSpec(
        "demo-case-4",
        "drains",
        "第一网格",
        "幸福里小区 1 号楼东侧",
        "雨水井堵塞，下雨后积水没过脚面，单元门口出入困难。",
        "马建军",
        "13890000104",
        (("accept", "已受理。"), ("dispatch", "联系物业一起疏通。"), ("start", "已到现场，正在联系疏通车辆。")),
    ),
    CaseSpec(
        "demo-case-5",
        "hygiene",
        "第一网格",
        "解放路东段公交站旁",
        "垃圾桶满了三天没人清运，天热有异味。",
        "陈玉梅",
        "13890000105",
        (
            ("accept", "已受理。"),
            ("dispatch", "请协调环卫清运。"),
            ("start", "已联系环卫站。"),
            ("resolve", "环卫站已清运并加密为每天一次，已电话告知反映人。"),
        ),
        area="解放路东段",
    ),
    CaseSpec(
        "demo-case-6",
        "noise",
        "第一网格",
        "解放路东段 40 号",
        "巷口的音像店每天循环播放促销录音，声音很大。",
        "孙志强",
        "13890000106",
        (
            ("accept", "已受理。"),
            ("dispatch", "请上门沟通。"),
            ("start", "已与店主沟通。"),
            ("resolve", "店主已同意把音箱移进店内并调低音量，营业时间外不再播放。"),
            ("rate:satisfied", "处理得很快，谢谢网格员。"),
            ("close", ""),
        ),
        area="解放路东段",
    ),
    CaseSpec(
        "demo-case-7",
        "other",
        "第三网格",
        "铁路家属院 3 号楼",
        "楼道里的声控灯坏了，晚上上下楼看不见。",
        "何淑珍",
        "13890000107",
        (("decline", "楼道照明属于物业维修范围，已把物业服务电话告知反映人，并提醒物业尽快维修。"),),
        area="铁路家属院 3 号楼",
    ),
)


def build_cases(community, tally, moderator, worker):
    """The demo cases of `community`, handled by its demo moderator and the worker of 第一网格."""
    grids = {grid.name: grid for grid in Grid.objects.filter(community=community)}
    areas = {(area.grid_id, area.name): area for area in GridArea.objects.filter(grid__community=community)}
    for spec in CASES:
        grid = grids[spec.grid]
        area = areas[(grid.pk, spec.area)] if spec.area else None
        report, secret = submit_report(
            spec.key,
            category=CaseCategory.objects.get(slug=spec.category),
            grid=grid,
            area=area,
            place_unsure=area is None,
            address=spec.address,
            description=spec.description,
            contact={"name": spec.name, "mobile": spec.mobile, "consent": True},
        )
        if secret is None:  # loaded before: it keeps whatever staff have done with it since
            tally[("case", "unchanged")] += 1
            continue
        for action, note in spec.steps:
            report = _step(report, action, note, moderator, worker)
        tally[("case", "created")] += 1


def _step(report, action, note, moderator, worker):
    if action.startswith("rate:"):
        return rate(report, action.split(":", 1)[1], note)
    if action in ("start", "resolve"):
        report, _event = perform(report, action, worker, role=WORKER, note=note)
    else:
        data = {"assignee": worker} if action == "dispatch" else {}
        report, _event = perform(report, action, moderator, role=MODERATOR, note=note, **data)
    return report
