import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from smartvillage.assessments import services
from smartvillage.assessments.models import (
    Assessment,
    AssessmentStep,
    AssessmentVersion,
    CriterionAppraisal,
    State,
)
from smartvillage.assessments.tests.conftest import AT, PHUTHO
from smartvillage.audit.models import AuditEvent
from smartvillage.core.errors import DomainError


def _state(assessment):
    """Everything a refused step must leave untouched."""
    a = Assessment.objects.get(pk=assessment.pk)
    return (
        a.state,
        a.current_version,
        a.recognition_number,
        a.recognition_date,
        a.updated_at,
        AssessmentStep.objects.filter(assessment=a).count(),
        AssessmentVersion.objects.filter(assessment=a).count(),
        list(AssessmentVersion.objects.filter(assessment=a).values_list("outcome", "content_hash")),
        CriterionAppraisal.objects.filter(version__assessment=a).count(),
        AuditEvent.objects.count(),
    )


def _all_agreed(assessment):
    version = assessment.versions.get(number=assessment.current_version)
    return {c["code"]: (True, "") for c in version.snapshot["data"]["result"]["criteria"]}


def _all_passed_with_reasons(assessment):
    """The appraiser concludes "đạt" on every criterion, with a reason where the data fails."""
    version = assessment.versions.get(number=assessment.current_version)
    return {
        c["code"]: (True, "")
        if c["status"] in ("pass", "not_applicable", "monitor")
        else (False, f"Kiểm tra thực tế: tiêu chí {c['code']} đạt")
        for c in version.snapshot["data"]["result"]["criteria"]
    }


def _to(world, state):
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    if state == State.DRAFT:
        return a
    services.do_submit(world.alice, a)
    a.refresh_from_db()
    if state == State.SUBMITTED:
        return a
    services.do_confirm(world.dave, a)
    a.refresh_from_db()
    if state == State.CONFIRMED:
        return a
    services.do_appraise(world.erin, a, _all_agreed(a))
    a.refresh_from_db()
    return a


def test_full_village_flow_and_history(world, village_data):
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    assert a.state == State.DRAFT and a.criteria_set_version == 1
    version = services.do_submit(world.alice, a, "Đề nghị xã xác nhận")
    a.refresh_from_db()
    assert a.state == State.SUBMITTED and version.number == 1 and len(version.content_hash) == 64
    services.do_confirm(world.dave, a, "Đã kiểm tra danh sách")
    services.do_appraise(world.erin, a, _all_passed_with_reasons(a), "Hồ sơ đầy đủ")
    with pytest.raises(DomainError, match="trước ngày nộp"):
        services.do_recognise(world.erin, a, "123/QĐ-UBND", dt.date(2024, 1, 1))
    a = services.do_recognise(world.erin, a, "123/QĐ-UBND", timezone.localdate())
    assert a.state == State.RECOGNISED and a.recognition_number == "123/QĐ-UBND"
    steps = list(a.steps.order_by("id"))
    assert [s.action for s in steps] == ["create", "submit", "confirm", "appraise", "recognise"]
    assert [s.actor_name for s in steps] == ["alice", "alice", "dave", "erin", "erin"]
    assert steps[1].comment == "Đề nghị xã xác nhận" and steps[2].to_state == State.CONFIRMED
    assert "123/QĐ-UBND" in steps[-1].comment
    # The frozen result failed some criteria: the record says why they were recognised.
    assert "thẩm định kết luận đạt" in steps[-1].comment and "Kiểm tra thực tế" in steps[-1].comment
    assert AssessmentVersion.objects.get(assessment=a).outcome == State.RECOGNISED


# (state the assessment is in, step, function call) for every step done by the wrong role or unit.
WRONG = [
    (State.DRAFT, "submit", "bob"),
    (State.DRAFT, "submit", "carol"),
    (State.DRAFT, "submit", "dave"),
    (State.DRAFT, "submit", "erin"),
    (State.DRAFT, "submit", "mallory"),
    (State.SUBMITTED, "confirm", "alice"),
    (State.SUBMITTED, "confirm", "carol"),
    (State.SUBMITTED, "confirm", "erin"),
    (State.SUBMITTED, "confirm", "mallory"),
    (State.SUBMITTED, "confirm", "bob"),
    (State.SUBMITTED, "return", "alice"),
    (State.SUBMITTED, "return", "erin"),
    (State.SUBMITTED, "return", "mallory"),
    (State.CONFIRMED, "appraise", "dave"),
    (State.CONFIRMED, "appraise", "alice"),
    (State.CONFIRMED, "appraise", "zed"),
    (State.CONFIRMED, "return", "dave"),
    (State.CONFIRMED, "return", "zed"),
    (State.APPRAISED, "recognise", "dave"),
    (State.APPRAISED, "recognise", "alice"),
    (State.APPRAISED, "recognise", "zed"),
    # A commune leader (or officer) of ANOTHER commune: right role, wrong unit.
    (State.SUBMITTED, "confirm", "lena"),
    (State.SUBMITTED, "return", "lena"),
    (State.SUBMITTED, "confirm", "otto"),
    (State.SUBMITTED, "return", "otto"),
    (State.CONFIRMED, "return", "lena"),
    # A digital-team member of the village itself: sees the file, takes no step.
    (State.DRAFT, "submit", "tom"),
    (State.SUBMITTED, "confirm", "tom"),
    (State.SUBMITTED, "return", "tom"),
    # Returning an appraised file is the appraiser's of the province, nobody else's.
    (State.APPRAISED, "return", "dave"),
    (State.APPRAISED, "return", "carol"),
    (State.APPRAISED, "return", "alice"),
    (State.APPRAISED, "return", "zed"),
    (State.APPRAISED, "return", "lena"),
    (State.APPRAISED, "return", "tom"),
]


def _do(step, user, a):
    if step == "submit":
        return services.do_submit(user, a)
    if step == "confirm":
        return services.do_confirm(user, a)
    if step == "return":
        return services.do_return(user, a, "Lý do")
    if step == "appraise":
        return services.do_appraise(user, a, _all_agreed(a))
    return services.do_recognise(user, a, "1/QĐ", timezone.localdate())


@pytest.mark.parametrize(("state", "step", "username"), WRONG)
def test_wrong_role_or_unit_is_refused_and_changes_nothing(
    world, village_data, outsiders, state, step, username
):
    a = _to(world, state)
    a.refresh_from_db()
    user = outsiders.get(username) or getattr(world, username)
    assert not services.may(user, a, step)  # no button either
    before = _state(a)
    with pytest.raises(PermissionDenied):
        _do(step, user, a)
    after = _state(a)
    assert after == before
    # Spelled out: state, version and history are what they were.
    assert (after[0], after[1], after[5]) == (state, a.current_version, before[5])


@pytest.mark.parametrize(
    ("state", "step", "username"),
    [
        (State.DRAFT, "confirm", "dave"),
        (State.SUBMITTED, "appraise", "erin"),
        (State.CONFIRMED, "recognise", "erin"),
        (State.SUBMITTED, "submit", "alice"),
        (State.DRAFT, "return", "dave"),
    ],
)
def test_wrong_state_is_refused_and_changes_nothing(world, village_data, state, step, username):
    a = _to(world, state)
    a.refresh_from_db()
    before = _state(a)
    with pytest.raises(DomainError) as exc:
        _do(step, getattr(world, username), a)
    assert exc.value.code in ("wrong_state", "not_submitted")
    assert _state(a) == before


def test_return_needs_comment_then_resubmit_makes_version_2(world, village_data):
    a = _to(world, State.SUBMITTED)
    before = _state(a)
    with pytest.raises(DomainError, match="Cần ghi ý kiến"):
        services.do_return(world.dave, a, "  ")
    assert _state(a) == before
    services.do_return(world.dave, a, "Danh sách Biểu 02 thiếu chữ ký")
    a.refresh_from_db()
    assert a.state == State.RETURNED
    first = AssessmentVersion.objects.get(assessment=a, number=1)
    assert first.outcome == State.RETURNED
    # The village fixes its data, then resubmits: version 2, version 1 kept unchanged.
    from smartvillage.registry import services as registry

    registry.do_update_household(world.alice, village_data[4], fibre_internet=True)
    v2 = services.do_submit(world.alice, a, "Đã bổ sung")
    a.refresh_from_db()
    assert a.state == State.SUBMITTED and a.current_version == 2 and v2.number == 2
    versions = list(a.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].snapshot == first.snapshot and versions[0].content_hash == first.content_hash
    assert versions[0].content_hash != versions[1].content_hash
    fibre = {
        v.number: next(c for c in v.snapshot["data"]["result"]["criteria"] if c["code"] == "1.1")
        for v in versions
    }
    assert (fibre[1]["numerator"], fibre[2]["numerator"]) == (4, 5)
    assert [s.action for s in a.steps.order_by("id")] == ["create", "submit", "return", "submit"]
    assert [s.version_number for s in a.steps.order_by("id")] == [0, 1, 1, 2]
    # Appraiser returns too, after confirmation: version 3 on resubmission.
    services.do_confirm(world.dave, a)
    services.do_return(world.erin, a, "Thiếu quyết định thành lập tổ CNSCĐ")
    services.do_submit(world.alice, a)
    assert a.versions.count() == 3


def test_appraisal_disagreement_needs_comment_and_blocks_recognition(world, village_data):
    a = _to(world, State.CONFIRMED)
    verdicts = _all_agreed(a)
    verdicts["1.6"] = (False, "")
    before = _state(a)
    with pytest.raises(DomainError, match="1.6"):
        services.do_appraise(world.erin, a, verdicts)
    assert _state(a) == before
    with pytest.raises(DomainError, match="Chưa có ý kiến"):
        services.do_appraise(world.erin, a, {"1.1": (True, "")})
    verdicts["1.6"] = (False, "Chưa có quyết định thành lập tổ")
    services.do_appraise(world.erin, a, verdicts)
    a.refresh_from_db()
    assert a.state == State.APPRAISED
    assert (
        CriterionAppraisal.objects.get(criterion_code="1.6").comment
        == "Chưa có quyết định thành lập tổ"
    )
    with pytest.raises(DomainError, match="kết quả đã chốt chưa đạt"):
        services.do_recognise(world.erin, a, "9/QĐ", timezone.localdate())
    with pytest.raises(DomainError, match="số và ngày"):
        services.do_recognise(world.erin, a, "", None)
    services.do_return(world.erin, a, "Bổ sung tiêu chí 1.6")
    a.refresh_from_db()
    assert a.state == State.RETURNED


def test_commune_model_flow(world):
    from smartvillage.assessments.tests.conftest import populate

    populate(world.village1)
    populate(world.village2, fibre=1)
    slug = "kontum-xa-ntm-thong-minh-2431"
    with pytest.raises(PermissionDenied):
        services.do_create(
            world.alice, world.commune, slug, AT
        )  # a village head does not submit the commune
    with pytest.raises(DomainError, match="không phù hợp"):
        services.do_create(world.alice, world.village1, slug, AT)  # a commune set for a village
    a = services.do_create(world.carol, world.commune, slug, AT)
    services.do_submit(world.dave, a)
    a.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.do_confirm(world.dave, a)  # no commune confirmation of the commune's own file
    with pytest.raises(PermissionDenied):
        services.do_return(world.dave, a, "x")
    assert services.allowed_steps(world.erin, a) == ["return", "appraise"]
    services.do_appraise(world.erin, a, _all_agreed(a))
    a.refresh_from_db()
    assert a.state == State.APPRAISED
    snapshot = a.versions.get().snapshot["data"]
    assert [r["unit"]["name"] for r in snapshot["villages"]["results"]] == ["Thôn Một", "Thôn Hai"]
    assert snapshot["villages"]["criteria_set"]["slug"] == "kontum-thon-thong-minh-2431"


def test_edit_only_while_draft_or_returned(world, village_data):
    """The village edits its draft; once submitted only the commune completes the report (see
    test_commune_completes_village_report_until_confirmation), and after confirmation nobody."""
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    services.do_edit(world.dave, a, strengths="Nhân dân đồng thuận", signer_name="Nguyễn Văn Định")
    services.do_submit(world.alice, a)
    with pytest.raises(DomainError, match="chỉ sửa được"):
        services.do_edit(world.alice, a, strengths="Sửa sau khi nộp")
    with pytest.raises(PermissionDenied):
        services.do_edit(world.bob, a, strengths="x")
    services.do_confirm(world.dave, a)
    with pytest.raises(DomainError, match="chỉ sửa được"):
        services.do_edit(world.dave, a, strengths="Sửa sau khi xác nhận")
    a.refresh_from_db()
    assert a.strengths == "Nhân dân đồng thuận"
    assert a.versions.get().snapshot["narrative"]["strengths"] == "Nhân dân đồng thuận"


def _report(a, number=None):
    from smartvillage.assessments.models import AssessmentVersion

    version = AssessmentVersion.objects.get(assessment=a, number=number or a.current_version)
    return version.report_meta


def test_commune_completes_village_report_until_confirmation(world, village_data, outsiders):
    """Mẫu số 01 is the commune's report: while the village's submission awaits confirmation,
    the commune's officer and leader set its number, date, signer and sections; confirmation
    freezes them in the version; every version keeps its own."""
    a = services.do_create(world.alice, world.village1, PHUTHO, AT, strengths="Thôn tự viết")
    services.do_submit(world.alice, a)
    a.refresh_from_db()
    assert services.edit_scope(world.carol, a) == services.EDIT_REPORT
    assert services.edit_scope(world.dave, a) == services.EDIT_REPORT
    assert services.edit_scope(world.alice, a) is None
    assert services.edit_scope(outsiders["otto"], a) is None
    services.do_edit(
        world.carol,
        a,
        report_number="15/BC-UBND",
        report_date=dt.date(2024, 3, 12),
        signer_name="Phạm Văn Định",
        organisation_text="UBND xã ban hành kế hoạch số 25/KH-UBND",
        strengths="Nhân dân đồng thuận",
        difficulties="Kinh phí còn hạn chế",
    )
    report = _report(a)
    assert report["report_number"] == "15/BC-UBND" and report["report_date"] == "2024-03-12"
    assert report["signer_name"] == "Phạm Văn Định" and report["strengths"] == "Nhân dân đồng thuận"
    # The frozen snapshot (and its hash) is the village's submission, untouched.
    version = a.versions.get(number=1)
    assert version.snapshot["narrative"]["strengths"] == "Thôn tự viết"
    from smartvillage.assessments import snapshot

    assert snapshot.content_hash(version.snapshot) == version.content_hash
    # ... and the report of version 1 is the commune's.
    from smartvillage.documents import reports

    source = reports.source_for_assessment(a)
    assert source.narrative["report_number"] == "15/BC-UBND"
    assert reports.mau01_context(source)["PLACE_DATE"] == "Xã An, ngày 12 tháng 3 năm 2024"
    # Not the reference date, not by another commune, not by the village.
    with pytest.raises(DomainError, match="ngày tham chiếu"):
        services.do_edit(world.dave, a, at=dt.date(2024, 4, 1))
    before = _state(a)
    with pytest.raises(PermissionDenied):
        services.do_edit(outsiders["otto"], a, report_number="99/BC-UBND")
    with pytest.raises(DomainError, match="chỉ sửa được"):
        services.do_edit(world.alice, a, report_number="99/BC-UBND")
    assert _state(a) == before and _report(a)["report_number"] == "15/BC-UBND"

    services.do_edit(world.dave, a, report_number="16/BC-UBND", report_date=None)
    services.do_confirm(world.dave, a)
    a.refresh_from_db()
    frozen = _report(a)
    # No date given: the report is dated the day the commune confirmed it.
    assert frozen["report_number"] == "16/BC-UBND"
    assert frozen["report_date"] == timezone.localdate().isoformat()
    with pytest.raises(DomainError, match="chỉ sửa được"):
        services.do_edit(world.carol, a, report_number="17/BC-UBND")
    assert _report(a) == frozen

    # Returned by the appraiser, resubmitted: version 2 gets its own report, version 1 keeps its.
    services.do_return(world.erin, a, "Bổ sung minh chứng")
    a.refresh_from_db()
    services.do_edit(world.alice, a, report_number="", strengths="Đã bổ sung")
    services.do_submit(world.alice, a)
    a.refresh_from_db()
    services.do_edit(world.carol, a, report_number="30/BC-UBND", signer_name="Lê Thị Hoa")
    assert _report(a, 1) == frozen
    assert _report(a, 2)["report_number"] == "30/BC-UBND"
    assert _report(a, 2)["signer_name"] == "Lê Thị Hoa"
    assert _report(a, 2)["strengths"] == "Đã bổ sung"


def test_commune_own_assessment_report_frozen_at_submission(world):
    from smartvillage.assessments.tests.conftest import populate

    populate(world.village1)
    a = services.do_create(world.carol, world.commune, "kontum-xa-ntm-thong-minh-2431", AT)
    services.do_edit(world.carol, a, report_number="7/BC-UBND")
    services.do_submit(world.dave, a)
    a.refresh_from_db()
    assert services.edit_scope(world.carol, a) is None
    with pytest.raises(DomainError, match="chỉ sửa được"):
        services.do_edit(world.carol, a, report_number="8/BC-UBND")
    assert _report(a)["report_number"] == "7/BC-UBND"
