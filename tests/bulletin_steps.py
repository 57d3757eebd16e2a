"""Taking a bulletin through the pages, as an office does: a draft saved from the form, then
issued (in one step, as an office configured without check and signature)."""


def draft(client, **fields) -> int:
    """Save a new draft from the form; its id."""
    answer = client.post("/bulletins", data=fields)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:2000]
    return int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def issue_in_one_step(app, client, **fields):
    """Draft and issue a bulletin through the pages; the page the issue lands on."""
    app.config["BULLETIN_STEPS"] = ""
    bulletin_id = draft(client, **fields)
    return client.post(f"/bulletins/{bulletin_id}/issue", data={"version": 1}, follow_redirects=True)
