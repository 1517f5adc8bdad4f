from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jcportal.core.forms import GovForm, GovFormMixin


class LoginForm(GovForm):
    username = forms.CharField(
        label=_("User ID"),
        help_text=_("You find your user ID in the letter from the Jobcenter."),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("The user ID or the password is not correct. Please check both and try again."),
        "inactive": _("This account is locked. Please contact your Jobcenter."),
    }

    def __init__(self, request: HttpRequest, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean(self):  # type: ignore[no-untyped-def]
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
            if not self.user_cache.is_active:
                raise forms.ValidationError(self.error_messages["inactive"], code="inactive")
        return self.cleaned_data

    def get_user(self):  # type: ignore[no-untyped-def]
        return self.user_cache


class TokenForm(GovForm):
    token = forms.CharField(
        label=_("Security code"),
        help_text=_("The 6-digit code from your authenticator app."),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "class": "input--short",
            }
        ),
        error_messages={
            "required": _("Enter the 6-digit security code."),
            "min_length": _("The security code has 6 digits."),
            "max_length": _("The security code has 6 digits."),
        },
    )

    def __init__(self, device, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.device = device
        super().__init__(*args, **kwargs)

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit() or not self.device.verify_token(token):
            raise forms.ValidationError(
                _("The security code is not correct or has expired. Enter the current code from your app."),
                code="invalid_token",
            )
        return token


# --- onboarding ----------------------------------------------------------------------------------

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]


def date_field(label, **kwargs):  # type: ignore[no-untyped-def]
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "class": "input--date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date, for example 17.05.1985.")},
        **kwargs,
    )


class AccessRequestForm(GovForm):
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    date_of_birth = date_field(_("Date of birth"), help_text=_("For example 17.05.1985."))
    street = forms.CharField(
        label=_("Street and house number"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.RegexField(
        label=_("Postcode"),
        regex=r"^\d{5}$",
        max_length=5,
        error_messages={"invalid": _("Enter the five-digit postcode.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "class": "input--short"}
        ),
    )
    city = forms.CharField(
        label=_("Town or city"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    bg_number = forms.RegexField(
        label=_("BG number (Nummer der Bedarfsgemeinschaft)"),
        regex=r"^\s*\d{5}\s*BG\s*\d{7}\s*$",
        required=False,
        help_text=_("If you know it: it is on every letter from the Jobcenter, for example 12345BG0000001."),
        error_messages={
            "invalid": _(
                "The BG number has 5 digits, the letters BG and 7 digits, for example 12345BG0000001."
            )
        },
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("If you give one, we tell you by e-mail when your request has been decided."),
        error_messages={"invalid": _("Enter an e-mail address like name@example.de.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    id_document = forms.FileField(
        label=_("Photo or scan of your ID card or passport"),
        required=False,
        help_text=_("Optional. It helps us to check who you are. JPEG, PNG or PDF, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )
    privacy = forms.BooleanField(
        label=_("I have read the information on how my details are processed."),
        error_messages={
            "required": _("Please confirm that you have read the information on data processing.")
        },
    )

    def clean_bg_number(self) -> str:
        return "".join((self.cleaned_data.get("bg_number") or "").split()).upper()

    def clean_date_of_birth(self):  # type: ignore[no-untyped-def]
        import datetime as dt

        value = self.cleaned_data["date_of_birth"]
        if value > dt.date.today() or value.year < 1900:
            raise forms.ValidationError(_("Enter your real date of birth."), code="implausible")
        return value


class ActivationForm(GovForm):
    username = forms.CharField(
        label=_("User ID"),
        help_text=_("It is in the access letter, for example jc12345678."),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    code = forms.CharField(
        label=_("Activation code"),
        help_text=_(
            "The 12 characters from the letter. Capital letters or small letters, with or without dashes."
        ),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.activation = None

    def clean(self):  # type: ignore[no-untyped-def]
        from .services import check_activation_code

        data = super().clean()
        if data.get("username") and data.get("code"):
            self.activation = check_activation_code(data["username"], data["code"])
            if self.activation is None:
                raise forms.ValidationError(
                    _(
                        "The user ID or the activation code is not correct, or the code has expired or was "
                        "already used. Check the letter. If it still does not work, ask your Jobcenter for a new letter."
                    ),
                    code="invalid_code",
                )
        return data


class GovSetPasswordForm(GovFormMixin, SetPasswordForm):
    pass


class GovPasswordChangeForm(GovFormMixin, PasswordChangeForm):
    pass


class ContactForm(GovForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Optional. Used for notifications and to reset a forgotten password."),
        error_messages={"invalid": _("Enter an e-mail address like name@example.de.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    notify_by_email = forms.BooleanField(
        label=_("Notify me by e-mail when there is something new in the portal"),
        required=False,
        help_text=_("Only a short note that there is something new in the portal; never any personal data."),
    )
    notify_daily_digest = forms.BooleanField(
        label=_("One summary per day instead of single notes"), required=False
    )

    @classmethod
    def for_user(cls, user: Any, data: Any = None) -> ContactForm:
        """The form filled with the account's current contact settings."""
        fields = ("email", "notify_by_email", "notify_daily_digest")
        return cls(data, initial={name: getattr(user, name) for name in fields})

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("notify_by_email") and not data.get("email"):
            self.add_error(
                "email",
                forms.ValidationError(
                    _("Enter an e-mail address to get notifications."), code="required_for_notify"
                ),
            )
        return data


class PasswordResetRequestForm(GovForm):
    username = forms.CharField(
        label=_("User ID"),
        help_text=_("You find your user ID in the letter from the Jobcenter."),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class ConsentForm(GovForm):
    agree = forms.BooleanField(
        label=_("Yes, I agree to digital delivery of decisions."),
        error_messages={"required": _("Tick the box to agree, or go back without changing anything.")},
    )


class TwoFactorRemoveForm(GovForm):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        help_text=_("To switch off the security code, confirm with your password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="wrong_password")
        return password


# --- representatives -----------------------------------------------------------------------------


class RepresentationScopeMixin(forms.Form):
    scope_upload = forms.BooleanField(label=_("may send documents"), required=False, initial=True)
    scope_read = forms.BooleanField(label=_("may read documents released by the Jobcenter"), required=False)
    scope_services = forms.BooleanField(label=_("may file online services"), required=False)
    valid_until = date_field(
        _("Valid until"),
        required=False,
        help_text=_("Optional. Without a date, the access lasts until it is revoked."),
    )

    def clean_valid_until(self):  # type: ignore[no-untyped-def]
        import datetime as dt

        value = self.cleaned_data.get("valid_until")
        if value and value < dt.date.today():
            raise forms.ValidationError(_("The end date cannot be in the past."), code="past")
        return value

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if not (data.get("scope_upload") or data.get("scope_read") or data.get("scope_services")):
            raise forms.ValidationError(
                _("Choose at least one thing the representative may do."), code="no_scope"
            )
        return data

    def grant_fields(self) -> dict:
        return {
            k: self.cleaned_data.get(k)
            for k in ("scope_upload", "scope_read", "scope_services", "valid_until")
        }


class GrantByUserIdForm(GovFormMixin, RepresentationScopeMixin):
    representative_username = forms.CharField(
        label=_("User ID of the representative"),
        help_text=_("The representative needs a portal account of their own. Ask them for their user ID."),
        max_length=150,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    field_order = ["representative_username", "scope_upload", "scope_read", "scope_services", "valid_until"]

    def __init__(self, *args, require_power_of_attorney: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.representative = None
        if require_power_of_attorney:
            self.fields["power_of_attorney_note"] = forms.CharField(
                label=_("Power of attorney on file (Vollmacht)"),
                help_text=_(
                    "Where the signed power of attorney is, for example its date and the document in the case file."
                ),
                max_length=200,
            )

    def clean_representative_username(self) -> str:
        from .models import Role, User

        username = self.cleaned_data["representative_username"].strip()
        self.representative = User.objects.filter(
            username__iexact=username, role=Role.REPRESENTATIVE, is_active=True
        ).first()
        if self.representative is None:
            raise forms.ValidationError(
                _(
                    "There is no representative account with this user ID. Check it, or invite a new representative."
                ),
                code="unknown",
            )
        return username


class InviteRepresentativeForm(GovFormMixin, RepresentationScopeMixin):
    first_name = forms.CharField(label=_("First name of the representative"), max_length=100)
    last_name = forms.CharField(
        label=_("Last name of the representative, or the organisation"), max_length=150
    )
    email = forms.EmailField(
        label=_("E-mail address of the representative"),
        required=False,
        error_messages={"invalid": _("Enter an e-mail address like name@example.de.")},
    )
    field_order = [
        "first_name",
        "last_name",
        "email",
        "scope_upload",
        "scope_read",
        "scope_services",
        "valid_until",
    ]

    def __init__(self, *args, require_power_of_attorney: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if require_power_of_attorney:
            self.fields["power_of_attorney_note"] = forms.CharField(
                label=_("Power of attorney on file (Vollmacht)"),
                help_text=_(
                    "Where the signed power of attorney is, for example its date and the document in the case file."
                ),
                max_length=200,
            )


# --- back office ---------------------------------------------------------------------------------


class PersonSearchForm(GovForm):
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    bg_number = forms.CharField(label=_("BG number"), required=False, max_length=20)
    date_of_birth = date_field(_("Date of birth"), required=False)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if not (data.get("name") or data.get("bg_number") or data.get("date_of_birth")):
            raise forms.ValidationError(_("Enter a name, a BG number or a date of birth."), code="empty")
        return data


class RejectForm(GovForm):
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        help_text=_("The applicant reads this if they gave an e-mail address. No social data, please."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LockForm(GovForm):
    reason = forms.CharField(label=_("Reason for locking"), max_length=200)


def letter_language_choices():  # type: ignore[no-untyped-def]
    from django.conf import settings

    return [(code, name) for code, name in settings.LANGUAGES if code != "de-ls"]


class LetterForm(GovForm):
    language = forms.ChoiceField(
        label=_("Language of the letter"),
        help_text=_("The letter is always also in German."),
        choices=letter_language_choices,
    )


class TeamMembershipForm(GovForm):
    """An administrator adds a further team (with a role there) to a staff member."""

    team: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Team"), queryset=None)  # type: ignore[arg-type]
    role = forms.ChoiceField(label=_("Role in this team"), required=False)

    def __init__(self, *args: Any, member: Any, **kwargs: Any) -> None:
        from jcportal.households.models import Team

        from .models import TeamMembership

        super().__init__(*args, **kwargs)
        taken = TeamMembership.objects.filter(user=member).values("team_id")
        teams = Team.objects.exclude(pk__in=taken).order_by("name")
        if member.team_id:
            teams = teams.exclude(pk=member.team_id)
        self.fields["team"].queryset = teams
        choices = list(TeamMembership._meta.get_field("role").choices or [])
        self.fields["role"].choices = [("", _("the same role as in the home team")), *choices]
