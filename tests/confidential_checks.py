"""A reusable check: a confidential project's real names appear nowhere in what a user outside
need-to-know receives (a page, an export, an API response, an email body)."""


def secret_names(project) -> list[str]:
    names = [project.title, project.investor.name]
    names += [v for v in (project.registered_company, project.registered_credit_code) if v]
    return names


def assert_no_confidential_leak(content, project) -> None:
    """`content`: text or bytes of anything shown to the user (decoded as UTF-8 if bytes)."""
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else str(content)
    leaked = [name for name in secret_names(project) if name and name in text]
    assert not leaked, f"confidential names leaked: {leaked}"
