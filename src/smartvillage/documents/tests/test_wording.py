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


def test_unit_names_inside_sentences_take_a_lower_case_type_word():
    from smartvillage.documents.wording import in_sentence

    assert in_sentence("Xã Hy Cương") == "xã Hy Cương"
    assert in_sentence("Thôn Chí Phúc") == "thôn Chí Phúc"
    assert in_sentence("Khu dân cư số 3") == "khu dân cư số 3"
    assert in_sentence("Ấp An Phú") == "ấp An Phú"
    assert in_sentence("Thành phố Hà Nội") == "thành phố Hà Nội"
    assert in_sentence("Tỉnh Phú Thọ") == "tỉnh Phú Thọ"
    assert in_sentence("Mỹ Nam") == "Mỹ Nam"  # no type word: unchanged
    assert in_sentence("Xã") == "Xã"


def test_requirement_text_does_not_repeat_its_label():
    from smartvillage.documents.wording import requirement_text

    phutho = (
        "≥ 80%. Yêu cầu: Thống kê danh sách hộ gia đình trong khu dân cư có mạng Internet "
        "băng thông rộng cáp quang"
    )
    text = requirement_text(phutho)
    assert text.startswith("≥ 80 %. Hồ sơ kiểm chứng: Thống kê danh sách")
    assert "Yêu cầu" not in text
    assert requirement_text("Yêu cầu: Có quyết định thành lập tổ") == "Có quyết định thành lập tổ"
    assert requirement_text("Có hạ tầng Internet") == "Có hạ tầng Internet"


def test_full_targets_read_100_percent_not_at_least():
    base = {"kind": "ratio", "numerator": 0, "denominator": 5, "value": 0.0, "gap": 5}
    full = describe({**base, "status": "fail", "threshold": 1.0, "unit_label": "hộ"})
    assert full == "Tỷ lệ 0 % (0/5 hộ), yêu cầu đạt 100 %, còn thiếu 5 hộ: Chưa đạt."
    assert "trở lên" not in full
    from smartvillage.documents.reports import target_text

    assert target_text({**base, "threshold": 1.0}) == "100 %"
    assert target_text({**base, "threshold": 0.8}) == "≥ 80 %"


def test_counts_say_what_they_count():
    wifi = {
        "kind": "count",
        "status": "pass",
        "numerator": 47,
        "threshold": 1.0,
        "evidence": [
            {
                "category": "facility",
                "type": "wifi_public",
                "type_label": "Điểm wifi miễn phí công cộng",
            }
        ],
    }
    assert describe(wifi) == "Có 47 điểm wifi miễn phí công cộng (yêu cầu tối thiểu 1): Đạt."
    # None recorded: the label comes from what is missing.
    none = {
        "kind": "count",
        "status": "fail",
        "numerator": 0,
        "threshold": 1.0,
        "missing": ["Điểm wifi miễn phí công cộng"],
    }
    assert describe(none, with_status=False) == (
        "Có 0 điểm wifi miễn phí công cộng (yêu cầu tối thiểu 1)."
    )
    # IT models are typed by field; what is counted is the model.
    models = {**none, "missing": ["Y tế / Giáo dục / An ninh trật tự, giám sát cộng đồng"]}
    assert describe(models, with_status=False) == (
        "Có 0 mô hình ứng dụng CNTT, chuyển đổi số (yêu cầu tối thiểu 1)."
    )
    ocop = {**none, "missing": ["Sản phẩm OCOP"]}
    assert describe(ocop, with_status=False).startswith("Có 0 sản phẩm OCOP ")


def test_evidence_counts_records_and_requirements_apart():
    from smartvillage.documents.reports import value_text

    result = {
        "kind": "evidence",
        "status": "fail",
        "numerator": 1,
        "denominator": 3,
        "evidence": [{"title": "QĐ thành lập tổ"}, {"title": "QĐ kiện toàn tổ"}],
        "missing": ["Kế hoạch hoạt động của tổ công nghệ số cộng đồng"],
    }
    assert value_text(result) == "1/3 yêu cầu"
    text = describe(result, with_evidence=False, with_status=False)
    assert text.startswith("Đã có 2 minh chứng (đáp ứng 1/3 yêu cầu). Còn thiếu: Kế hoạch")


def test_undated_document_is_dated_in_the_year_it_is_about():
    import datetime as dt

    from smartvillage.core.formats import place_date_line

    assert place_date_line("Xã An", None, year=2024) == "Xã An, ngày     tháng     năm 2024"
    assert place_date_line("Xã An", dt.date(2024, 3, 5), year=2020) == (
        "Xã An, ngày 05 tháng 3 năm 2024"
    )
    assert place_date_line("Xã An", None).endswith(f"năm {dt.date.today().year}")
