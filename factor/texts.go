package factor

import (
	"time"
)

// Localizer is implemented by errors that carry their own text for people,
// such as the phone package's parse errors. UserMessage consults it first.
type Localizer interface {
	// UserMessage returns the text for a person in the given language:
	// "nl" or "en".
	UserMessage(lang string) string
}

// text is one user-facing message in Dutch and English.
type text struct{ nl, en string }

// userTexts covers every error a person can meet, in the order UserMessage
// checks them: more specific errors before the ones they wrap.
var userTexts = []struct {
	err error
	txt text
}{
	{ErrNoActivationCode, text{"U heeft nog geen activatiecode. Neem contact op met de servicedesk.", "You have no activation code yet. Please contact the service desk."}},
	{ErrActivationExpired, text{"Uw activatiecode is verlopen. Vraag een nieuwe aan bij de servicedesk.", "Your activation code has expired. Ask the service desk for a new one."}},
	{ErrActivationUsed, text{"Deze activatiecode is al gebruikt. Vraag een nieuwe aan bij de servicedesk.", "This activation code has already been used. Ask the service desk for a new one."}},
	{ErrActivationRequired, text{"Vul eerst uw activatiecode in.", "Please enter your activation code first."}},
	{ErrChallengeMismatch, text{"Deze code hoort bij een andere methode. Kies de methode opnieuw en vul de code in.", "This code belongs to another method. Please choose the method again and enter its code."}},
	{ErrLinkRequired, text{"Open eerst de link in de e-mail die we u stuurden om uw nieuwe telefoonnummer te bevestigen.", "Please open the link in the email we sent you to confirm your new phone number first."}},
	{ErrLinkInvalid, text{"Deze link is ongeldig, al gebruikt of verlopen. Wijzig uw telefoonnummer opnieuw om een nieuwe link te krijgen.", "This link is invalid, already used or expired. Change your phone number again to get a new link."}},
	{ErrNoAccountEmail, text{"Uw account heeft geen e-mailadres om de wijziging te bevestigen. Neem contact op met de servicedesk.", "Your account has no email address to confirm the change. Please contact the service desk."}},
	{ErrChallengeRequired, text{"Vraag eerst een code aan voor deze methode.", "Please ask for a code for this method first."}},
	{ErrTooManyPending, text{"U heeft al enkele methoden die nog op bevestiging wachten. Bevestig of verwijder die eerst, of probeer het later opnieuw.", "You already have several methods waiting to be confirmed. Please confirm or remove one first, or try again later."}},
	{ErrInvalidCode, text{"De code is onjuist of verlopen. Probeer het opnieuw.", "The code is incorrect or has expired. Please try again."}},
	{ErrMalformed, text{"Controleer wat u heeft ingevuld.", "Please check what you entered."}},
	{ErrLastEnrollment, text{"U kunt uw laatste methode niet verwijderen zolang tweestapsverificatie verplicht is.", "You cannot remove your last method while two-step verification is required."}},
	{ErrStepUpRequired, text{"Vul eerst een geldige code in om dit te bevestigen.", "Please enter a valid code first to confirm this."}},
	{ErrRequired, text{"Tweestapsverificatie is verplicht: u kunt het niet meer overslaan of uitzetten.", "Two-step verification is required: you can no longer skip it or turn it off."}},
	{ErrEmailFallback, text{"Codes per e-mail kunnen alleen zolang u geen andere methode heeft. Gebruik uw app, sms of spraakoproep.", "Email codes are only available while you have no other method. Please use your app, SMS or voice call."}},
	{ErrKindNotOffered, text{"Deze methode wordt hier niet aangeboden. Kies een andere methode.", "This method is not offered here. Please choose another one."}},
	{ErrNotConfirmed, text{"Deze methode is nog niet bevestigd. Vul eerst de code in die u heeft ontvangen.", "This method is not confirmed yet. Please enter the code you received first."}},
	{ErrNotAllowed, text{"Dit is niet toegestaan.", "This is not allowed."}},
	{ErrUnknownKind, text{"Deze methode wordt niet ondersteund.", "This method is not supported."}},
	{ErrNotFound, text{"Deze methode bestaat niet (meer). Ga naar de instellingen om tweestapsverificatie in te stellen.", "This method does not exist (any more). Go to the settings to set up two-step verification."}},
	{ErrDelivery, text{"De code kon niet worden verstuurd. Probeer het later opnieuw of kies een andere methode.", "The code could not be sent. Please try again later or choose another method."}},
	{ErrSealed, text{"Deze methode kan nu niet worden gecontroleerd. Kies een andere methode of neem contact op met de servicedesk.", "This method cannot be checked right now. Please choose another method or contact the service desk."}},
}

// UserMessage returns a text for a person about err, in Dutch or English
// chosen from language (a BCP 47 tag or Accept-Language value; anything not
// Dutch gets English). The text never contains a secret. Errors without a
// specific text get a generic one; a nil error gets the empty string.
// Texts adds other languages.
func UserMessage(err error, language string) string {
	return builtin.UserMessage(err, language)
}

// UserErrors lists every error UserMessage has a specific text for, so
// tests and translators can walk them.
func UserErrors() []error {
	out := []error{&LockedError{RetryAfter: time.Minute}, &RateLimitError{Scope: "user", RetryAfter: time.Minute}, &RateLimitError{Scope: "resend", RetryAfter: 30 * time.Second}}
	for _, t := range userTexts {
		out = append(out, t.err)
	}
	return out
}
