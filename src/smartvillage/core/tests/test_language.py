def test_vietnamese_is_the_default_even_for_an_english_browser(client, world):
    client.force_login(world.alice)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in html


def test_english_when_chosen_with_the_switch(client, world):
    client.force_login(world.alice)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
