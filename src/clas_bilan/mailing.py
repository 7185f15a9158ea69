"""The e-mail that returns the bilan to the Caf: a ready-to-send draft (.eml) and SMTP sending."""

from __future__ import annotations

import contextlib
import copy
import mimetypes
import smtplib
import socket
import ssl
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Literal

from clas_bilan import campaigns, files, form
from clas_bilan.docx import package
from clas_bilan.errors import UsageError, UserError
from clas_bilan.extract import read_document
from clas_bilan.models import Reponses
from clas_bilan.render import default_name
from clas_bilan.values import format_size, is_email

DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
Security = Literal["starttls", "ssl", "aucune"]
MAX_ATTACHMENTS = 20_000_000
"""Bytes of attachments at most: many mail servers refuse messages over 20 to 25 MB."""
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "aucune": 25}


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: server, port (None = usual port of ``security``), login."""

    host: str
    port: int | None = None
    security: Security = "starttls"
    user: str | None = None
    timeout: float = 30

    @property
    def effective_port(self) -> int:
        """The port to connect to."""
        return self.port if self.port is not None else DEFAULT_PORTS[self.security]


def answers_of(docx: Path) -> tuple[Reponses | None, str | None]:
    """Read the answers back from the bilan for the subject and signature, or say why not."""
    try:
        document = package.open_docx(docx, role="bilan")
    except UserError:
        return None, None  # build_draft says what is wrong with the file
    try:
        return read_document(document, docx.name).answers, None
    except UserError as error:
        first = error.message.splitlines()[0].rstrip(" .:")
        return None, f"le bilan n'a pas pu être relu ({first})."
    except Exception as error:  # the draft matters more than the subject line
        return None, f"le bilan n'a pas pu être relu ({type(error).__name__})."


def subject(answers: Reponses | None) -> str:
    """French subject naming the campaign, the équipement and its commune when known."""
    campaign = (answers.campagne if answers else None) or campaigns.current().code
    text = f"Bilan CLAS {campaign}"
    place = _place(answers)
    return f"{text} — {place}" if place else text


def body(answers: Reponses | None, attachment: str, extra: Sequence[str] = ()) -> str:
    """Short polite French body; signed with the coordinator's name when known."""
    campaign = (answers.campagne if answers else None) or campaigns.current().code
    place = _place(answers)
    about = f" de l'équipement {place}" if place else ""
    lines = [
        "Bonjour,",
        "",
        f"Veuillez trouver ci-joint le bilan CLAS {campaign.replace('-', '/')}{about}"
        f"{managed_by(answers.gestionnaire.nom if answers else None)} "
        f"(fichier « {attachment} »).",
        *(
            [f"Vous trouverez aussi : {', '.join(f'« {name} »' for name in extra)}."]
            if extra
            else []
        ),
        "",
        "Le bilan est également à déposer sur AFAS / ESPADA, en parallèle de cet envoi.",
        "",
        "Je reste à votre disposition pour tout complément d'information.",
        "",
        "Bien cordialement,",
    ]
    signature = _signature(answers)
    if signature:
        lines += ["", *signature]
    return "\n".join(lines) + "\n"


_ARTICLES = ("l'", "l’", "le ", "la ", "les ")
_ELIDED = frozenset({"association", "amicale", "espace", "institut", "office", "union"})
_FEMININE = frozenset(
    {"commune", "communauté", "fédération", "maison", "mairie", "mjc", "municipalité", "ville"}
)
_MASCULINE = frozenset(
    {"ccas", "centre", "cias", "club", "collectif", "comité", "foyer", "groupement", "syndicat"}
)


def managed_by(manager: str | None) -> str:
    """« , géré par l'Association … » with the article the name takes, or « (gestionnaire : …) ».

    The article comes from the name's first word when it is a known kind of structure
    (association, centre social, mairie…); a name the tool cannot put an article before
    (« Savoirs en Partage », an acronym) is given without the construction.
    """
    name = " ".join((manager or "").split())
    if not name:
        return ""
    if name.lower().startswith(_ARTICLES):
        return f", géré par {name[0].lower()}{name[1:]}"
    first = name.split()[0].lower()
    if first in _ELIDED:
        return f", géré par l'{name}"
    if first in _FEMININE:
        return f", géré par la {name}"
    if first in _MASCULINE:
        return f", géré par le {name}"
    return f" (gestionnaire : {name})"


def attachment_name(docx: Path, answers: Reponses | None) -> str:
    """The bilan's name in the e-mail: the one ``render`` gives it (campaign and équipement).

    The Caf receives dozens of « bilan.docx »; the name on disk is kept only when the
    bilan could not be read back.
    """
    if answers is None:
        return docx.name
    return default_name(answers, campaigns.of(answers.campagne))


def _is_copy(docx: Path, path: Path) -> bool:
    """True when ``path`` is the bilan's PDF copy, named like it."""
    return path.suffix.lower() == ".pdf" and path.stem == docx.stem


def pdf_copy(docx: Path) -> Path | None:
    """The PDF copy of ``docx`` beside it (same name, .pdf), if there is one."""
    for candidate in (docx.with_suffix(".pdf"), docx.with_suffix(".PDF")):
        if candidate.is_file():
            return candidate
    return None


def build_draft(
    docx: Path, *, sender: str | None, answers: Reponses | None, extra: Sequence[Path] = ()
) -> EmailMessage:
    """Build the message to the Caf with ``docx`` (and ``extra`` files) attached, as a draft.

    ``extra`` carries, for instance, the signed bilan scanned as a PDF.
    """
    data = _read_docx(docx)
    attachments = [_read_extra(path) for path in extra]
    size = len(data) + sum(len(content) for _, content, _ in attachments)
    if size > MAX_ATTACHMENTS:
        raise UsageError(
            f"les pièces jointes pèsent {format_size(size)} : trop pour la plupart des "
            f"messageries (limite : {format_size(MAX_ATTACHMENTS)}).",
            hint="réduisez la taille du PDF scanné (numérisation en 150 ou 200 ppp).",
        )
    msg = EmailMessage(policy=policy.default)
    msg["To"] = form.CAF_EMAIL
    author = _sender(sender, answers)
    if author is not None:
        msg["From"] = author
    msg["Subject"] = subject(answers)
    msg["Date"] = formatdate(localtime=True)
    domain = author.domain if author is not None else None
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["X-Unsent"] = "1"
    name = attachment_name(docx, answers)
    # The bilan's own PDF copy goes by the bilan's name; a scan or other file keeps its own.
    names = [
        str(Path(name).with_suffix(".pdf")) if _is_copy(docx, path) else path.name for path in extra
    ]
    msg.set_content(body(answers, name, names), cte="quoted-printable")
    msg.add_attachment(data, maintype=DOCX_TYPE[0], subtype=DOCX_TYPE[1], filename=name)
    for shown, (_, content, (maintype, subtype)) in zip(names, attachments, strict=True):
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=shown)
    for part in msg.iter_attachments():
        del part["MIME-Version"]  # only the top level carries it
    return msg


def write_draft(msg: EmailMessage, path: Path, force: bool) -> Path:
    """Write ``msg`` as an .eml file (CRLF), atomically, never overwriting without force."""
    return files.write_atomic(path, msg.as_bytes(policy=policy.SMTP), force=force)


def send(msg: EmailMessage, server: SmtpSettings, password: str) -> None:
    """Send ``msg`` through ``server``; return only once the server accepted it."""
    if not msg["From"]:
        raise UsageError(
            "l'adresse de l'expéditeur est inconnue : impossible d'envoyer le courriel.",
            hint="indiquez-la avec --de adresse@exemple.fr.",
        )
    outgoing = copy.deepcopy(msg)
    del outgoing["X-Unsent"]
    where = f"{server.host}:{server.effective_port}"
    stage = ["connexion"]
    try:
        refused = _deliver(outgoing, server, password, stage)
    except smtplib.SMTPAuthenticationError as error:
        raise UsageError(
            f"le serveur {where} a refusé l'identification de « {server.user} »"
            f"{_reply(error.smtp_code, error.smtp_error)}.",
            hint="vérifiez l'identifiant et le mot de passe (variable "
            "CLAS_BILAN_SMTP_MOT_DE_PASSE ou saisie) ; certaines messageries demandent "
            "un « mot de passe d'application ».",
        ) from error
    except smtplib.SMTPNotSupportedError as error:
        if stage[-1] == "starttls":
            raise UsageError(
                f"le serveur {where} ne propose pas de connexion chiffrée STARTTLS.",
                hint="essayez --securite ssl (port 465 en général) ; n'utilisez "
                "--securite aucune que sur un serveur de votre réseau local.",
            ) from error
        if stage[-1] == "login":
            raise UsageError(
                f"le serveur {where} ne propose pas d'identification (AUTH) sur cette connexion.",
                hint="vérifiez --securite et --port, ou retirez --utilisateur si ce serveur "
                "n'en demande pas.",
            ) from error
        raise UsageError(f"le serveur {where} ne sait pas transmettre ce message.") from error
    except smtplib.SMTPRecipientsRefused as error:
        replies = "".join(_reply(code, text) for code, text in error.recipients.values())
        raise UsageError(
            f"le serveur {where} a refusé le destinataire {form.CAF_EMAIL}{replies} : "
            "rien n'a été envoyé.",
            hint=_auth_hint(server),
        ) from error
    except smtplib.SMTPSenderRefused as error:
        raise UsageError(
            f"le serveur {where} a refusé l'expéditeur « {error.sender} »"
            f"{_reply(error.smtp_code, error.smtp_error)} : rien n'a été envoyé.",
            hint=_auth_hint(server),
        ) from error
    except smtplib.SMTPDataError as error:
        raise UsageError(
            f"le serveur {where} a refusé le message"
            f"{_reply(error.smtp_code, error.smtp_error)} : rien n'a été envoyé.",
            hint="le fichier joint est peut-être trop gros pour ce serveur.",
        ) from error
    except ssl.SSLCertVerificationError as error:
        raise UsageError(
            f"le certificat du serveur {where} n'est pas reconnu "
            f"({error.verify_message or error.reason}) : rien n'a été envoyé.",
            hint=_certificate_hint(error),
        ) from error
    except ssl.SSLError as error:
        raise UsageError(
            f"la connexion chiffrée avec {where} a échoué ({error.reason or error}).",
            hint="vérifiez --securite : « ssl » va en général avec le port 465, "
            "« starttls » avec le port 587.",
        ) from error
    except socket.gaierror as error:
        raise UsageError(
            f"le serveur « {server.host} » est introuvable.",
            hint="vérifiez le nom du serveur d'envoi (--serveur) et votre connexion Internet.",
        ) from error
    except ConnectionRefusedError as error:
        raise UsageError(
            f"le serveur {where} refuse la connexion (port fermé).",
            hint="vérifiez --serveur et --port auprès de votre messagerie.",
        ) from error
    except TimeoutError as error:
        raise _timeout(where, server) from error
    except smtplib.SMTPServerDisconnected as error:
        if isinstance(error.__context__, TimeoutError):  # smtplib wraps a silent server
            raise _timeout(where, server) from error
        raise UsageError(
            f"le serveur {where} a coupé la connexion : rien n'a été envoyé.",
            hint="vérifiez --securite et --port.",
        ) from error
    except smtplib.SMTPResponseException as error:
        raise UsageError(
            f"le serveur {where} a répondu par une erreur"
            f"{_reply(error.smtp_code, error.smtp_error)} : rien n'a été envoyé."
        ) from error
    except OSError as error:  # also every other smtplib.SMTPException
        raise UsageError(
            f"échec de l'envoi par le serveur {where} ({error.strerror or error}) : "
            "rien n'a été envoyé.",
            hint="vérifiez --serveur, --port, --securite et votre connexion Internet.",
        ) from error
    if refused:
        raise UsageError(
            f"le serveur {where} a refusé le destinataire {form.CAF_EMAIL} : rien n'a été envoyé."
        )


def _deliver(
    msg: EmailMessage, server: SmtpSettings, password: str, stage: list[str]
) -> dict[str, tuple[int, bytes]]:
    """Connect, secure, log in and send; ``stage`` records how far it went, for the errors."""
    context = _context()
    smtp: smtplib.SMTP
    if server.security == "ssl":
        smtp = smtplib.SMTP_SSL(
            server.host, server.effective_port, timeout=server.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(server.host, server.effective_port, timeout=server.timeout)
    try:
        smtp.ehlo()
        if server.security == "starttls":
            stage.append("starttls")
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user:
            stage.append("login")
            smtp.login(server.user, password)
        stage.append("envoi")
        refused = smtp.send_message(msg)
    except BaseException:
        smtp.close()
        raise
    with contextlib.suppress(OSError):  # accepted already: a failed QUIT changes nothing
        smtp.quit()
    smtp.close()
    return refused


def _context() -> ssl.SSLContext:
    """TLS settings: the certificates the system trusts, host name checked.

    truststore asks Windows' and macOS' own certificate stores, as the user's mail
    program does (python.org's Python for macOS has no certificates of its own).
    """
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


_HOSTNAME_MISMATCH = 62
_EXPIRED = 10
"""OpenSSL's verify codes for a certificate of another name, and for an expired one."""


def _certificate_hint(error: ssl.SSLCertVerificationError) -> str:
    """What to do about a server certificate the system does not trust, by its cause."""
    said = f"{getattr(error, 'verify_message', '')} {error}".lower()
    code = getattr(error, "verify_code", None)
    if code == _HOSTNAME_MISMATCH or "hostname" in said or "match" in said:
        return (
            "le certificat est celui d'un autre nom de serveur : vérifiez le nom donné à "
            "--serveur, il doit être exactement celui indiqué par votre messagerie."
        )
    if code == _EXPIRED or "expired" in said:
        return (
            "le certificat du serveur a expiré : prévenez votre fournisseur de messagerie ; "
            "en attendant, envoyez le brouillon .eml depuis votre messagerie habituelle."
        )
    return (
        "cet ordinateur ne reconnaît pas l'autorité qui a signé ce certificat (serveur mal "
        "configuré, ou réseau, pare-feu ou antivirus qui inspecte les connexions). "
        "Vérifiez --serveur, puis demandez à la personne qui gère votre informatique ; en "
        "attendant, envoyez le brouillon .eml depuis votre messagerie habituelle."
    )


def _timeout(where: str, server: SmtpSettings) -> UsageError:
    """The error for a server that does not answer in time."""
    return UsageError(
        f"le serveur {where} ne répond pas (délai de {server.timeout:g} secondes dépassé).",
        hint="vérifiez --serveur, --port et votre connexion Internet ; un pare-feu "
        "bloque peut-être ce port.",
    )


def _place(answers: Reponses | None) -> str:
    """« Nom (Commune) », or whichever of the two is known."""
    if answers is None:
        return ""
    name, town = answers.equipement.nom, answers.equipement.commune
    if name and town:
        return f"{name} ({town})"
    return name or town or ""


def _signature(answers: Reponses | None) -> list[str]:
    """The coordinator's name and address, or the signatory's name."""
    if answers is None:
        return []
    who = answers.moyens_humains.coordination
    name = " ".join(part for part in (who.prenom, who.nom) if part) or answers.signature.nom
    if not name:
        return []
    lines = [name]
    role = "Coordination du CLAS"
    lines.append(f"{role} — {answers.equipement.nom}" if answers.equipement.nom else role)
    if who.email:
        lines.append(who.email)
    return lines


def _sender(sender: str | None, answers: Reponses | None) -> Address | None:
    """The From address: ``--de`` first, else the coordinator's e-mail from the bilan."""
    who = answers.moyens_humains.coordination if answers else None
    name = " ".join(part for part in (who.prenom, who.nom) if part) if who else ""
    if sender is not None:
        where = "de l'option --de"
        addr = sender.strip()
    elif who is not None and who.email:
        where = "de la coordination dans le bilan"
        addr = who.email.strip()
    else:
        return None
    if not (is_email(addr) and addr.isascii()):  # a mail header carries ASCII only
        raise UsageError(
            f"l'adresse mail {where} (« {addr} ») n'en est pas une.",
            hint="écrivez-la sous la forme prenom.nom@exemple.fr.",
        )
    local, domain = addr.split("@")
    return Address(display_name=name, username=local, domain=domain)


def _read_docx(docx: Path) -> bytes:
    """The bytes of the bilan to attach; a French error if it is missing or not a .docx."""
    if docx.is_file() and (docx.suffix.lower() != ".docx" or not zipfile.is_zipfile(docx)):
        raise UsageError(
            f"« {docx} » n'est pas un document Word (.docx).",
            hint="joignez le bilan produit par « clas-bilan render » (fichier .docx)"
            + (
                f" ; un PDF signé s'ajoute avec : clas-bilan email bilan.docx --joindre {docx.name}"
                if docx.suffix.lower() == ".pdf"
                else "."
            ),
        )
    package.open_docx(docx, role="bilan")  # missing, too big, broken or hostile: refused
    try:
        return docx.read_bytes()
    except OSError as error:
        raise UsageError(f"impossible de lire « {docx} » : {files.reason(error)}.") from error


def _read_extra(path: Path) -> tuple[str, bytes, tuple[str, str]]:
    """Name, bytes and MIME type of a file to attach besides the bilan."""
    if path.is_dir():
        raise UsageError(f"« {path} » est un dossier : joignez un fichier (--joindre).")
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            f"la pièce jointe « {path} » est introuvable.",
            hint="vérifiez le nom et le dossier du fichier donné à --joindre.",
        ) from None
    except OSError as error:
        raise UsageError(f"impossible de lire « {path} » : {files.reason(error)}.") from error
    guessed, _ = mimetypes.guess_type(path.name)
    maintype, _, subtype = (guessed or "application/octet-stream").partition("/")
    return path.name, content, (maintype, subtype)


def _reply(code: int, text: bytes | str) -> str:
    """Format the server's reply as « (code 535 : texte) »."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(text.split())
    return f" (code {code} : {text})" if text else f" (code {code})"


def _auth_hint(server: SmtpSettings) -> str:
    """Hint for a refusal that often means « log in first »."""
    if server.user:
        return "vérifiez que l'adresse --de est bien celle du compte --utilisateur."
    return "le serveur demande peut-être une identification : ajoutez --utilisateur."
