// Package twilio delivers voice codes by phone call through Twilio's Calls
// API, and authenticates Twilio's webhook requests.
//
// A Sender places a call with inline TwiML built from a factor.Message. In
// spoken mode the call says Message.Text, the whole script: voice.Factor
// composes it with the code digit by digit ("4, 9, 3, 8, 1, 7"), said
// twice, so a host that builds its own Message must put the code in Text
// the same way. In keypad mode
// (Message.Keypad) the call says Text, which asks the user to type the
// digits shown on the screen, and gathers them; Twilio posts the digits
// to Config.CallbackURL with the query parameter challenge=<ChallengeID>.
// The language of the message picks the voice: Dutch and English are
// built in, Config.Voices adds or replaces others.
//
// With Config.ScriptURL set, a spoken call never reads the code onto a
// voicemail: the Sender places it with answering-machine detection
// (MachineDetection "Enable") and a Url instead of inline TwiML, and
// Twilio fetches the script from the host's ScriptHandler once it knows
// who answered. A person (AnsweredBy "human") hears the code twice; a
// machine, a fax or an unknown answerer hears Voice.Machine, without the
// code. The script travels sealed in the Url, under a key derived from
// the account's auth token, and opens only for a call to its number.
//
// A Validator checks the X-Twilio-Signature header of such callbacks, so
// that the keypad handler and the ScriptHandler act only on requests that
// came from Twilio. A KeypadResponder (Sender.KeypadResponder) is voice.Handler's
// answer to the keypad callback: TwiML the caller hears in the call's
// language, carried in the callback URL's LanguageParam, thanking them or
// saying the digits were wrong or came too late.
//
// With Config.StatusCallbackURL set, each call asks Twilio to report its
// progress, and a CallStatusHandler at that URL records it on the
// challenge (after checking the signature with a Validator), so that
// factor.Manager.ChallengeStatus can tell the page that a call was busy,
// not answered or answered by a machine.
//
// Failures are *delivery.Error values wrapping a reason of package
// delivery: ErrInvalidNumber (Twilio 21211, 21217), ErrRegionNotPermitted
// (21215; 21214, a number that cannot be reached), ErrThrottled (HTTP 429,
// 20429), ErrUnauthorized (HTTP 401, 403, 20003, 20005; 21219, a trial
// account calling a number it has not verified), ErrSenderInvalid (21210,
// a From that is not a number or verified caller ID of the account),
// ErrRefused (any other refusal), ErrUnavailable (network failures,
// timeouts, HTTP 5xx) or ErrUnsupported (a message that cannot
// be made into a call: another kind, no text, a code that is not 1 to 12
// digits, a keypad message without a challenge or CallbackURL, or TwiML
// over MaxTwiML characters). ErrThrottled and ErrUnavailable are retryable
// (see failover.Sender). Errors never contain the credentials, the code,
// the text or the phone number.
package twilio
