from smartvillage.documents.wording import describe, legal_reference, money, status_label


def test_money_and_status():
    assert money(1_234_000) == "1.234.000 đồng"
    assert money(None) == ""
    assert status_label("pass") == "Đạt" and status_label("fail") == "Chưa đạt"


def test_legal_reference_kind_from_title_or_number():
    assert legal_reference("1491/QĐ-UBND", "Quyết định về việc ban hành tiêu chí") == (
        "Quyết định",
        "về việc ban hành tiêu chí",
    )
    assert legal_reference("2431/UBND-NNTN", "Về việc quy định mô hình") == (
        "Văn bản",
        "về việc quy định mô hình",
    )
    assert legal_reference("1478/HD-SKH-CN") == ("Hướng dẫn", "")


def test_describe_ratio_in_vietnamese_notation():
    result = {
        "kind": "ratio",
        "status": "pass",
        "numerator": 117,
        "denominator": 133,
        "value": 117 / 133,
        "threshold": 0.7,
        "gap": 0,
        "unit_label": "hồ sơ",
    }
    assert describe(result) == "Tỷ lệ 88 % (117/133 hồ sơ), yêu cầu từ 70 % trở lên: Đạt."
    result.update(
        numerator=1234, denominator=1404, value=1234 / 1404, threshold=0.9, status="fail", gap=30
    )
    assert describe(result, with_status=False) == (
        "Tỷ lệ 87,9 % (1.234/1.404 hồ sơ), yêu cầu từ 90 % trở lên, còn thiếu 30 hồ sơ."
    )
    assert (
        describe({"kind": "ratio", "status": "not_applicable"})
        == "Chưa áp dụng tại thời điểm đánh giá."
    )
