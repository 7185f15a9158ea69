"""The e-mail to the Caf: the .eml draft read back with the stdlib, real SMTP on 127.0.0.1."""

from __future__ import annotations

import email
import os
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from docx import Document
from typer.testing import CliRunner

from clas_bilan import campaigns, mailing
from clas_bilan.cli import app
from clas_bilan.errors import UsageError
from clas_bilan.loading import load
from clas_bilan.render import render
from clas_bilan.scaffold import example_text
from helpers_answers import Reponses

CODE, LABEL = campaigns.current().code, campaigns.current().label

LILAS = f"bilan_clas_{CODE}_centre-social-les-lilas.docx"
LOCAL = "127.0.0.1"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _answers() -> Reponses:
    return Reponses.model_validate(
        {
            "gestionnaire": {"nom": "Association Léo Lagrange"},
            "equipement": {"nom": "Centre social Les Lilas", "commune": "Péronnas"},
            "moyens_humains": {
                "coordination": {
                    "nom": "Dupré",
                    "prenom": "Hélène",
                    "email": "helene.dupre@lilas.example.org",
                }
            },
        }
    )


def _docx(path: Path, text: str = "Bilan CLAS, équipement Les Lilas") -> Path:
    document = Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def _read(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _attachments(message: EmailMessage) -> list[EmailMessage]:
    return list(message.iter_attachments())  # type: ignore[arg-type]


# --- the draft -------------------------------------------------------------------------------


def test_draft_reads_back_whole(tmp_path: Path) -> None:
    bilan = _docx(tmp_path / "bilan Les Lilas — Péronnas.docx")
    draft = tmp_path / "brouillon.eml"

    mailing.write_draft(
        mailing.build_draft(bilan, sender=None, answers=_answers()), draft, force=False
    )

    raw = draft.read_bytes()
    message = _read(draft)
    assert message["To"] == "parentalite@caf01.caf.fr"
    assert message["From"].addresses[0].addr_spec == "helene.dupre@lilas.example.org"
    assert message["From"].addresses[0].display_name == "Hélène Dupré"
    assert message["Subject"] == f"Bilan CLAS {CODE} — Centre social Les Lilas (Péronnas)"
    assert message["X-Unsent"] == "1"
    assert message["Date"] and message["Message-ID"]
    text = message.get_body(("plain",))
    assert text is not None
    content = text.get_content().replace("\r\n", "\n")
    assert content.startswith("Bonjour,\n")
    assert (
        f"ci-joint le bilan CLAS {LABEL} de l'équipement Centre social Les Lilas (Péronnas), "
        f"géré par l'Association Léo Lagrange (fichier « {LILAS} »)." in " ".join(content.split())
    )
    assert "Le bilan est également à déposer sur AFAS / ESPADA" in content
    assert "déposé" not in content
    assert content.rstrip().endswith("helene.dupre@lilas.example.org")
    assert "Hélène Dupré" in content
    [attached] = _attachments(message)
    assert attached.get_content_type() == DOCX_MIME
    assert attached.get_filename() == LILAS  # as render names it, not « bilan Les Lilas… »
    assert attached.get_content() == bilan.read_bytes()
    # RFC 5322 on disk: CRLF line ends, 7-bit only.
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert raw.isascii()
    assert f'filename="{LILAS}"'.encode() in raw
    assert f"Content-Type: {DOCX_MIME}\r\n".encode() in raw
    assert raw.count(b"MIME-Version") == 1


def test_draft_from_option_and_no_answers(tmp_path: Path) -> None:
    bilan = _docx(tmp_path / "bilan.docx")

    message = mailing.build_draft(bilan, sender="moi@exemple.fr", answers=None)

    assert message["From"] == "moi@exemple.fr"
    assert message["Subject"] == f"Bilan CLAS {CODE}"
    [attached] = _attachments(message)
    assert attached.get_filename() == "bilan.docx"
    assert attached.get_content() == bilan.read_bytes()


def test_long_accented_file_name_survives(tmp_path: Path) -> None:
    name = f"Bilan CLAS {CODE} — Centre socioculturel de l'Équipement Zoé Guérin, Saint-Genis.docx"
    bilan = _docx(tmp_path / name)
    draft = mailing.write_draft(
        mailing.build_draft(bilan, sender=None, answers=None), tmp_path / "b.eml", force=False
    )
    raw = draft.read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    [attached] = _attachments(_read(draft))
    assert attached.get_filename() == name
    assert attached.get_content_type() == DOCX_MIME
    assert attached.get_content() == bilan.read_bytes()


def test_from_option_wins_over_the_bilan(tmp_path: Path) -> None:
    message = mailing.build_draft(
        _docx(tmp_path / "bilan.docx"), sender="direction@lilas.example.org", answers=_answers()
    )
    assert message["From"].addresses[0].addr_spec == "direction@lilas.example.org"


def test_subject_with_commune_only() -> None:
    answers = Reponses.model_validate({"equipement": {"commune": "Oyonnax"}})
    assert mailing.subject(answers) == f"Bilan CLAS {CODE} — Oyonnax"


def test_bad_sender_is_explained(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"l'adresse mail de l'option --de \(« moi@ »\)"):
        mailing.build_draft(_docx(tmp_path / "bilan.docx"), sender="moi@", answers=None)


def test_missing_bilan_is_explained(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="introuvable"):
        mailing.build_draft(tmp_path / "absent.docx", sender=None, answers=None)


def test_not_a_docx_is_explained(tmp_path: Path) -> None:
    fake = tmp_path / "bilan.docx"
    fake.write_text("pas un document Word", encoding="utf-8")
    with pytest.raises(UsageError, match=r"n'est pas un document Word \(\.docx\)"):
        mailing.build_draft(fake, sender=None, answers=None)


def test_draft_never_overwrites_without_force(tmp_path: Path) -> None:
    bilan = _docx(tmp_path / "bilan.docx")
    draft = tmp_path / "bilan.eml"
    draft.write_text("mon brouillon", encoding="utf-8")
    message = mailing.build_draft(bilan, sender=None, answers=None)

    with pytest.raises(UsageError, match="existe déjà") as caught:
        mailing.write_draft(message, draft, force=False)
    assert caught.value.hint and "--force" in caught.value.hint
    assert draft.read_text(encoding="utf-8") == "mon brouillon"

    mailing.write_draft(message, draft, force=True)
    assert _read(draft)["To"] == "parentalite@caf01.caf.fr"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bilan.docx", "bilan.eml"]


# --- sending through a real SMTP server on 127.0.0.1 -------------------------------------------


@dataclass
class Inbox:
    """What the test server received."""

    envelopes: list[Envelope] = field(default_factory=list)
    refuse_rcpt: bool = False

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.refuse_rcpt:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _check_login(
    server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"helene",
        b"s3cret",
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOCAL, 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    controller = Controller(
        handler,
        hostname=LOCAL,
        port=_free_port(),
        authenticator=_check_login,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def _local(port: int, **options: Any) -> mailing.SmtpSettings:
    settings: dict[str, Any] = {"security": "aucune", "timeout": 10} | options
    return mailing.SmtpSettings(LOCAL, port, **settings)


def _message(tmp_path: Path) -> tuple[EmailMessage, Path]:
    bilan = _docx(tmp_path / "bilan équipement.docx")
    return mailing.build_draft(bilan, sender=None, answers=_answers()), bilan


def test_message_arrives_whole(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    message, bilan = _message(tmp_path)

    mailing.send(message, _local(port, user="helene"), "s3cret")

    [envelope] = handler.envelopes
    assert envelope.mail_from == "helene.dupre@lilas.example.org"
    assert envelope.rcpt_tos == ["parentalite@caf01.caf.fr"]
    assert isinstance(envelope.content, bytes)
    received = email.message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(received, EmailMessage)
    assert received["Subject"] == f"Bilan CLAS {CODE} — Centre social Les Lilas (Péronnas)"
    assert received["X-Unsent"] is None
    [attached] = _attachments(received)
    assert attached.get_filename() == LILAS
    assert attached.get_content() == bilan.read_bytes()
    assert message["X-Unsent"] == "1"  # the draft itself is unchanged
    assert "s3cret" not in envelope.content.decode("ascii")


def test_refused_login_is_explained(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    message, _ = _message(tmp_path)

    with pytest.raises(UsageError) as caught:
        mailing.send(message, _local(port, user="helene"), "mauvais")

    assert caught.value.message.startswith(
        f"le serveur 127.0.0.1:{port} a refusé l'identification de « helene » (code 535"
    )
    assert caught.value.hint and "mot de passe" in caught.value.hint
    assert handler.envelopes == []


def test_refused_recipient_is_not_reported_sent(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    handler.refuse_rcpt = True
    message, _ = _message(tmp_path)

    with pytest.raises(UsageError) as caught:
        mailing.send(message, _local(port, user="helene"), "s3cret")

    assert "a refusé le destinataire parentalite@caf01.caf.fr (code 550" in caught.value.message
    assert "rien n'a été envoyé" in caught.value.message
    assert handler.envelopes == []


def test_closed_port_is_explained(tmp_path: Path) -> None:
    message, _ = _message(tmp_path)
    port = _free_port()

    with pytest.raises(UsageError) as caught:
        mailing.send(message, _local(port), "")

    assert caught.value.message == f"le serveur 127.0.0.1:{port} refuse la connexion (port fermé)."


def test_starttls_not_offered_is_explained(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    message, _ = _message(tmp_path)

    with pytest.raises(UsageError, match="ne propose pas de connexion chiffrée STARTTLS"):
        mailing.send(message, _local(port, security="starttls", user="helene"), "s3cret")
    assert handler.envelopes == []


def test_ssl_on_a_plain_port_is_explained(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    message, _ = _message(tmp_path)

    with pytest.raises(UsageError, match=f"la connexion chiffrée avec 127.0.0.1:{port} a échoué"):
        mailing.send(message, _local(port, security="ssl"), "")
    assert handler.envelopes == []


def test_silent_server_times_out(tmp_path: Path) -> None:
    message, _ = _message(tmp_path)
    with socket.socket() as mute:  # accepts connections (backlog) but never says hello
        mute.bind((LOCAL, 0))
        mute.listen(1)
        port = mute.getsockname()[1]

        with pytest.raises(UsageError, match=r"ne répond pas \(délai de 0\.5 secondes dépassé\)"):
            mailing.send(message, _local(port, timeout=0.5), "")


def test_unknown_server_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    message, _ = _message(tmp_path)

    with pytest.raises(UsageError, match=r"le serveur « smtp\.inconnu\.invalid » est introuvable"):
        mailing.send(message, mailing.SmtpSettings("smtp.inconnu.invalid"), "")


def test_unknown_sender_is_refused_before_connecting(tmp_path: Path) -> None:
    message = mailing.build_draft(_docx(tmp_path / "bilan.docx"), sender=None, answers=None)
    with pytest.raises(UsageError, match="l'adresse de l'expéditeur est inconnue"):
        mailing.send(message, _local(_free_port()), "")


def test_default_ports() -> None:
    assert mailing.SmtpSettings("h").effective_port == 587
    assert mailing.SmtpSettings("h", security="ssl").effective_port == 465
    assert mailing.SmtpSettings("h", port=2525, security="ssl").effective_port == 2525


# --- the command --------------------------------------------------------------------------------

runner = CliRunner()


def test_command_writes_the_draft_beside_the_bilan(tmp_path: Path) -> None:
    bilan = _docx(tmp_path / "bilan.docx")

    result = runner.invoke(app, ["email", str(bilan), "--de", "moi@exemple.fr"])

    assert result.exit_code == 0, result.output
    assert "Brouillon écrit" in result.output
    assert "Outlook ou Thunderbird" in result.output
    message = _read(tmp_path / "bilan.eml")
    assert message["To"] == "parentalite@caf01.caf.fr"
    assert message["From"] == "moi@exemple.fr"
    assert message["X-Unsent"] == "1"
    [attached] = _attachments(message)
    assert attached.get_content() == bilan.read_bytes()


def test_command_never_overwrites_without_force(tmp_path: Path) -> None:
    bilan = _docx(tmp_path / "bilan.docx")
    draft = tmp_path / "envoi.eml"
    draft.write_text("mon brouillon", encoding="utf-8")

    result = runner.invoke(app, ["email", str(bilan), "-o", str(draft)])

    assert result.exit_code == 2
    assert "existe déjà" in result.output and "--force" in result.output
    assert draft.read_text(encoding="utf-8") == "mon brouillon"

    result = runner.invoke(app, ["email", str(bilan), "-o", str(draft), "--force"])
    assert result.exit_code == 0, result.output
    assert _read(draft)["To"] == "parentalite@caf01.caf.fr"


def test_command_missing_bilan(tmp_path: Path) -> None:
    result = runner.invoke(app, ["email", str(tmp_path / "absent.docx")])

    assert result.exit_code == 2
    assert "introuvable" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_command_send_needs_a_server(tmp_path: Path) -> None:
    bilan = _docx(tmp_path / "bilan.docx")

    result = runner.invoke(app, ["email", str(bilan), "--envoyer"])

    assert result.exit_code == 2
    assert "indiquez le serveur d'envoi avec --serveur" in result.output


def test_command_server_options_need_envoyer(tmp_path: Path) -> None:
    bilan = _docx(tmp_path / "bilan.docx")

    result = runner.invoke(app, ["email", str(bilan), "--serveur", LOCAL])

    assert result.exit_code == 2
    assert "ne servent qu'avec --envoyer" in result.output
    assert not (tmp_path / "bilan.eml").exists()


def _send_args(bilan: Path, port: int, *extra: str) -> list[str]:
    return [
        "email", str(bilan), "--de", "moi@exemple.fr", "--envoyer", "--serveur", LOCAL,
        "--port", str(port), "--securite", "aucune", *extra,
    ]  # fmt: skip


def test_command_sends_with_the_password_from_the_environment(
    tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    bilan = _docx(tmp_path / "bilan.docx")

    result = runner.invoke(
        app,
        _send_args(bilan, port, "--utilisateur", "helene"),
        env={"CLAS_BILAN_SMTP_MOT_DE_PASSE": "s3cret"},
    )

    assert result.exit_code == 0, result.output
    assert "Courriel envoyé à parentalite@caf01.caf.fr" in result.output
    assert "AFAS / ESPADA" in result.output
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["parentalite@caf01.caf.fr"]
    assert isinstance(envelope.content, bytes)
    received = email.message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(received, EmailMessage)
    [attached] = _attachments(received)
    assert attached.get_content() == bilan.read_bytes()
    assert not (tmp_path / "bilan.eml").exists()  # no draft unless -o is given


def test_command_asks_for_the_password_without_showing_it(
    tmp_path: Path, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLAS_BILAN_SMTP_MOT_DE_PASSE", raising=False)
    handler, port = inbox
    bilan = _docx(tmp_path / "bilan.docx")

    result = runner.invoke(
        app,
        _send_args(bilan, port, "--utilisateur", "helene", "-o", str(tmp_path / "copie.eml")),
        input="s3cret\n",
    )

    assert result.exit_code == 0, result.output
    assert "Mot de passe de helene sur 127.0.0.1" in result.output
    assert "s3cret" not in result.output
    assert len(handler.envelopes) == 1
    assert b"s3cret" not in (tmp_path / "copie.eml").read_bytes()


def test_command_refused_login(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    bilan = _docx(tmp_path / "bilan.docx")

    result = runner.invoke(
        app,
        _send_args(bilan, port, "--utilisateur", "helene"),
        env={"CLAS_BILAN_SMTP_MOT_DE_PASSE": "mauvais"},
    )

    assert result.exit_code == 2
    assert "a refusé l'identification de « helene »" in result.output
    assert "Courriel envoyé" not in result.output
    assert handler.envelopes == []


def test_command_closed_port(tmp_path: Path) -> None:
    bilan = _docx(tmp_path / "bilan.docx")
    port = _free_port()

    result = runner.invoke(app, _send_args(bilan, port))

    assert result.exit_code == 2
    assert f"le serveur 127.0.0.1:{port} refuse la connexion (port fermé)" in result.output
    assert "Courriel envoyé" not in result.output


def test_command_help_is_french_with_an_example() -> None:
    result = runner.invoke(app, ["email", "--help"])

    assert result.exit_code == 0
    assert "Exemple : clas-bilan email bilan.docx" in result.output
    assert "CLAS_BILAN_SMTP_MOT_DE_PASSE" in result.output


# --- TLS: STARTTLS and implicit TLS with a test certificate for 127.0.0.1 -----------------------

CERT = Path(__file__).parent / "certs" / "smtp-test.pem"
KEY = CERT.with_suffix(".key")


def _server_tls() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    return context


@contextmanager
def _serving(handler: Inbox, **options: Any) -> Iterator[int]:
    controller = Controller(
        handler, hostname=LOCAL, port=_free_port(), authenticator=_check_login, **options
    )
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def _trust_test_certificate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mailing, "_context", lambda: ssl.create_default_context(cafile=CERT))


def test_starttls_login_and_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _trust_test_certificate(monkeypatch)
    handler = Inbox()
    message, bilan = _message(tmp_path)

    with _serving(handler, tls_context=_server_tls(), require_starttls=True) as port:
        mailing.send(message, _local(port, security="starttls", user="helene"), "s3cret")

    [envelope] = handler.envelopes
    assert isinstance(envelope.content, bytes)
    received = email.message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(received, EmailMessage)
    [attached] = _attachments(received)
    assert attached.get_content() == bilan.read_bytes()


def test_implicit_tls_login_and_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _trust_test_certificate(monkeypatch)
    handler = Inbox()
    message, _ = _message(tmp_path)

    # aiosmtpd does not count implicit TLS as TLS for AUTH; the connection is encrypted anyway
    with _serving(handler, ssl_context=_server_tls(), auth_require_tls=False) as port:
        mailing.send(message, _local(port, security="ssl", user="helene"), "s3cret")

    assert len(handler.envelopes) == 1


def test_untrusted_certificate_is_explained(tmp_path: Path) -> None:
    handler = Inbox()
    message, _ = _message(tmp_path)

    with (
        _serving(handler, tls_context=_server_tls(), require_starttls=True) as port,
        pytest.raises(UsageError) as caught,
    ):
        mailing.send(message, _local(port, security="starttls", user="helene"), "s3cret")

    assert caught.value.message.startswith(
        f"le certificat du serveur 127.0.0.1:{port} n'est pas reconnu ("
    )
    assert "rien n'a été envoyé" in caught.value.message
    assert handler.envelopes == []


def test_login_before_starttls_is_not_attempted(tmp_path: Path) -> None:
    """A server that wants TLS first refuses AUTH in clear: explained, nothing sent."""
    handler = Inbox()
    message, _ = _message(tmp_path)

    with (
        _serving(handler, tls_context=_server_tls(), require_starttls=True) as port,
        pytest.raises(UsageError) as caught,
    ):
        mailing.send(message, _local(port, user="helene"), "s3cret")

    assert caught.value.message == (
        f"le serveur 127.0.0.1:{port} ne propose pas d'identification (AUTH) sur cette connexion."
    )
    assert caught.value.hint and "--securite" in caught.value.hint
    assert handler.envelopes == []


# --- with a bilan made by render: what the command reads from it ---------------------------------


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    loaded = load(example_text())
    assert loaded.answers is not None
    return render(loaded.answers, tmp_path / "bilan_croix-blanche.docx")


def test_command_reads_the_bilan_for_sender_subject_and_signature(rendered: Path) -> None:
    result = runner.invoke(app, ["email", str(rendered)])

    assert result.exit_code == 0, result.output
    assert "Attention" not in result.output
    message = _read(rendered.with_suffix(".eml"))
    assert str(message["From"]) == "Karima Benali <clas@savoirs-en-partage.fr>"
    assert message["Subject"] == (
        f"Bilan CLAS {CODE} — Centre social de la Croix-Blanche (Bourg-en-Bresse)"
    )
    text = message.get_body(("plain",))
    assert text is not None
    content = text.get_content().replace("\r\n", "\n")
    assert "géré par l'Association Savoirs en Partage" in " ".join(content.split())
    assert "\nKarima Benali\nCoordination du CLAS — Centre social de la Croix-Blanche\n" in content
    [attached] = _attachments(message)
    assert attached.get_filename() == f"bilan_clas_{CODE}_centre-social-de-la-croix-blanche.docx"
    assert attached.get_content() == rendered.read_bytes()


def test_command_sends_a_rendered_bilan(rendered: Path, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox

    result = runner.invoke(
        app,
        ["email", str(rendered), "--envoyer", "--serveur", LOCAL, "--port", str(port),
         "--securite", "aucune"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    [envelope] = handler.envelopes
    assert envelope.mail_from == "clas@savoirs-en-partage.fr"
    assert isinstance(envelope.content, bytes)
    received = email.message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(received, EmailMessage)
    assert "Croix-Blanche" in str(received["Subject"])
    [attached] = _attachments(received)
    assert attached.get_content() == rendered.read_bytes()


def test_command_warns_when_the_bilan_cannot_be_read(tmp_path: Path) -> None:
    bilan = _docx(tmp_path / "autre.docx", "Un document qui n'est pas le formulaire")

    result = runner.invoke(app, ["email", str(bilan), "--de", "moi@exemple.fr"])

    assert result.exit_code == 0, result.output
    assert "Attention : le bilan n'a pas pu être relu (" in result.output
    assert "L'objet du courriel ne nommera pas l'équipement." in result.output
    assert _read(tmp_path / "autre.eml")["Subject"] == f"Bilan CLAS {CODE}"


def test_command_without_a_password_to_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLAS_BILAN_SMTP_MOT_DE_PASSE", raising=False)
    bilan = _docx(tmp_path / "bilan.docx")

    result = runner.invoke(
        app, _send_args(bilan, _free_port(), "--utilisateur", "helene"), input=""
    )

    assert result.exit_code == 2
    assert "aucun mot de passe saisi : rien n'a été envoyé." in result.output
    assert "CLAS_BILAN_SMTP_MOT_DE_PASSE" in result.output


@pytest.mark.parametrize(
    ("manager", "said"),
    [
        ("Association Savoirs en Partage", ", géré par l'Association Savoirs en Partage"),
        ("association des familles", ", géré par l'association des familles"),
        ("Union locale des MJC", ", géré par l'Union locale des MJC"),
        ("Centre social Les Lilas", ", géré par le Centre social Les Lilas"),
        ("Mairie de Bourg-en-Bresse", ", géré par la Mairie de Bourg-en-Bresse"),
        ("Ville de Bellegarde", ", géré par la Ville de Bellegarde"),
        ("CCAS d'Oyonnax", ", géré par le CCAS d'Oyonnax"),
        ("La Maison des Familles", ", géré par la Maison des Familles"),
        ("L'Escale", ", géré par l'Escale"),
        ("Les Amis de l'école", ", géré par les Amis de l'école"),
        ("Savoirs en Partage", " (gestionnaire : Savoirs en Partage)"),
        ("Éveil et Loisirs", " (gestionnaire : Éveil et Loisirs)"),
        ("ADSEA 01", " (gestionnaire : ADSEA 01)"),
        (None, ""),
        ("  ", ""),
    ],
)
def test_the_manager_is_named_with_the_article_its_name_takes(
    manager: str | None, said: str
) -> None:
    assert mailing.managed_by(manager) == said


def test_the_bilan_s_pdf_copy_goes_by_the_bilan_s_name_a_scan_keeps_its_own(
    tmp_path: Path,
) -> None:
    bilan = _docx(tmp_path / "bilan.docx")
    copy = tmp_path / "bilan.pdf"
    copy.write_bytes(b"%PDF-1.4 copie")
    scan = tmp_path / "bilan_signe.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")

    message = mailing.build_draft(bilan, sender=None, answers=_answers(), extra=[copy, scan])

    names = [part.get_filename() for part in _attachments(message)]
    assert names == [LILAS, LILAS.replace(".docx", ".pdf"), "bilan_signe.pdf"]
    text = message.get_body(("plain",))
    assert text is not None
    content = " ".join(text.get_content().split())
    assert f"Vous trouverez aussi : « {LILAS.replace('.docx', '.pdf')} », « bilan_signe.pdf »." in (
        content
    )
    assert mailing.pdf_copy(bilan) == copy
    assert mailing.pdf_copy(tmp_path / "autre.docx") is None


def _pdf_beside(bilan: Path, *, newer: bool = True) -> Path:
    copy = bilan.with_suffix(".pdf")
    copy.write_bytes(b"%PDF-1.4 copie du bilan")
    stamp = bilan.stat().st_mtime + (10 if newer else -10)
    os.utime(copy, (stamp, stamp))
    return copy


def test_command_names_the_attachment_and_offers_the_pdf_copy_beside(rendered: Path) -> None:
    copy = _pdf_beside(rendered)

    result = runner.invoke(app, ["email", str(rendered)])

    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    named = f"bilan_clas_{CODE}_centre-social-de-la-croix-blanche"
    assert f"le bilan est joint sous le nom « {named}.docx »" in said
    assert f"Une copie PDF du bilan est à côté : « {copy.name} »" in said
    assert f"--joindre {copy} --force" in said
    message = _read(rendered.with_suffix(".eml"))
    assert [part.get_filename() for part in _attachments(message)] == [f"{named}.docx"]


def test_command_attaches_the_pdf_copy_under_the_bilan_s_name(rendered: Path) -> None:
    copy = _pdf_beside(rendered)

    result = runner.invoke(app, ["email", str(rendered), "--joindre", str(copy)])

    assert result.exit_code == 0, result.output
    assert "Une copie PDF" not in result.output
    message = _read(rendered.with_suffix(".eml"))
    named = f"bilan_clas_{CODE}_centre-social-de-la-croix-blanche"
    parts = {part.get_filename(): part for part in _attachments(message)}
    assert list(parts) == [f"{named}.docx", f"{named}.pdf"]
    assert parts[f"{named}.pdf"].get_content() == copy.read_bytes()
    text = message.get_body(("plain",))
    assert text is not None
    content = " ".join(text.get_content().split())
    assert f"Vous trouverez aussi : « {named}.pdf »." in content
    assert "à déposer sur AFAS / ESPADA" in content


def test_command_says_an_older_pdf_copy_was_not_attached(rendered: Path) -> None:
    _pdf_beside(rendered, newer=False)

    result = runner.invoke(app, ["email", str(rendered)])

    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "est plus ancienne que le bilan : elle n'a pas été jointe" in said
    assert f"clas-bilan pdf {rendered} --force" in said
