"""Run the loopback OpenID Connect provider: migrate its SQLite database, create the directory's
people and the portal's client from OIDC_TEST_SETUP (JSON), then serve on 127.0.0.1:OIDC_TEST_PORT.

Started by tests/test_sso_browser.py as ``python -m tests.oidc_provider.serve``."""

import json
import os


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    # oauthlib refuses plain http unless told: this provider lives on the loopback only.
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    setup = json.loads(os.environ["OIDC_TEST_SETUP"])
    call_command("migrate", verbosity=0, interactive=False)
    for person in setup["people"]:
        user = User.objects.create_user(
            username=person["username"],
            password=person["password"],
            email=person["email"],
            first_name=person["first_name"],
            last_name=person["last_name"],
        )
        for name in person.get("groups", []):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    client = setup["client"]
    Application.objects.create(
        name="Idea portal",
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=client["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )
    run("127.0.0.1", int(os.environ["OIDC_TEST_PORT"]), get_wsgi_application(), threading=True, server_cls=WSGIServer)


if __name__ == "__main__":
    main()
