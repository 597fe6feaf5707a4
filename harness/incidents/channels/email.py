"""Email over SMTP (stdlib smtplib; STARTTLS and login when configured)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import ClassVar

from pydantic import BaseModel

from harness.incidents.channels.base import Channel, Delivery, Message, register


class SmtpSettings(BaseModel):
    host: str = ""
    port: int = 587
    starttls: bool = True
    username: str = ""
    password: str = ""
    sender: str = ""
    to: str = ""  # comma-separated
    timeout_s: float = 10


@register
class SmtpChannel(Channel):
    type_name: ClassVar[str] = "smtp"
    Settings: ClassVar[type[BaseModel]] = SmtpSettings
    required: ClassVar[tuple[str, ...]] = ("host", "sender", "to")

    def build(self, message: Message) -> EmailMessage:
        assert isinstance(self.settings, SmtpSettings)
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.settings.sender
        mail["To"] = self.settings.to
        mail["X-Drill-Incident"] = message.incident
        mail.set_content(f"{message.text}\n\n{message.context}\n{message.url}\n")
        return mail

    def send(self, message: Message, ref: str | None) -> Delivery:
        assert isinstance(self.settings, SmtpSettings)
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
                if s.starttls:
                    smtp.starttls()
                if s.username:
                    smtp.login(s.username, s.password)
                smtp.send_message(self.build(message))
        except smtplib.SMTPResponseException as exc:
            # 4yz replies are transient by definition (RFC 5321 section 4.2.1), 5yz permanent.
            detail = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            if 400 <= exc.smtp_code < 500:
                return Delivery.later(detail, exc.smtp_code)
            return Delivery.failed(detail, exc.smtp_code)
        except (OSError, smtplib.SMTPException) as exc:
            return Delivery.later(f"{type(exc).__name__}: {exc}")
        return Delivery.delivered()
