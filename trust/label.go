package trust

import "strings"

// Label names the device a User-Agent header describes, for Remember and
// the list of a user's devices: the browser and the system, such as
// "Firefox / Linux" or "Safari / iPhone", or "Browser" when neither is
// known. Whatever the header holds, the result is short and valid UTF-8,
// unlike a raw User-Agent, which is often longer than a label may be.
func Label(userAgent string) string {
	browser := "Browser"
	for _, b := range [...]struct{ token, name string }{
		// Edge's header names Chrome and Safari too, and Chrome's Safari.
		{"Edg/", "Edge"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(userAgent, b.token) {
			browser = b.name
			break
		}
	}
	// iPhones and iPads say "like Mac OS X", and Android says Linux.
	for _, system := range [...]string{"Windows", "Android", "iPhone", "iPad", "Mac OS", "Linux"} {
		if strings.Contains(userAgent, system) {
			return browser + " / " + strings.TrimSuffix(system, " OS")
		}
	}
	return browser
}
