package detectors

import (
	"net/netip"
	"strings"
)

// Web identifiers, found per whitespace-delimited chunk:
//
//	EMAIL  jane.doe+clinic@mail.example.org
//	URL    https://portal.example.org/u/4411, www.example.com, example-health.org/path
//	IP     10.24.118.7, 2001:db8::8a2e:370:7334, fe80::1
func init() {
	register(Spec{Name: "web", Types: []Type{Email, URL, IP},
		Description: "e-mail addresses, URLs (scheme, www. or known top-level domain), IPv4 and IPv6 addresses (validated by net/netip)"},
		detectWeb)
}

// chunkEnd returns the index after the last token glued to token i (a run without whitespace).
func (sc *scan) chunkEnd(i int) int {
	toks := sc.toks
	j := i + 1
	for j < len(toks) && !toks[j].has(fSpace) {
		j++
	}
	return j
}

func detectWeb(sc *scan) {
	toks := sc.toks
	for i := 0; i < len(toks); {
		j := sc.chunkEnd(i)
		if j-i >= 3 { // every web identifier has at least 3 tokens: a, '.', b
			sc.webChunk(i, j)
		}
		i = j
	}
}

// webChunk examines tokens [i,j), one whitespace-free chunk.
func (sc *scan) webChunk(i, j int) {
	s, e := sc.toks[i].s, sc.toks[j-1].e
	chunk := sc.text[s:e]
	// Trim surrounding punctuation such as quotes, brackets and sentence ends.
	for len(chunk) > 0 && strings.IndexByte("\"'([{<.,;:!?*", chunk[0]) >= 0 {
		chunk, s = chunk[1:], s+1
	}
	for len(chunk) > 0 && strings.IndexByte("\"')]}>.,;:!?*", chunk[len(chunk)-1]) >= 0 {
		chunk, e = chunk[:len(chunk)-1], e-1
	}
	if len(chunk) < 3 {
		return
	}
	if at := strings.IndexByte(chunk, '@'); at > 0 {
		if dot := strings.LastIndexByte(chunk, '.'); dot > at+1 && dot < len(chunk)-1 && validEmail(chunk) {
			sc.add(s, e, Email, 0.97)
			return
		}
	}
	if strings.IndexByte(chunk, '.') < 0 && strings.IndexByte(chunk, ':') < 0 {
		return // URLs, IPs and host names all have a '.' or a ':'
	}
	lc := strings.ToLower(chunk)
	if strings.HasPrefix(lc, "http://") || strings.HasPrefix(lc, "https://") || strings.HasPrefix(lc, "ftp://") ||
		strings.HasPrefix(lc, "www.") {
		sc.add(s, e, URL, 0.95)
		return
	}
	if ip, ok := parseIP(chunk); ok && !(ip.Is4() && sc.inReadingChain(s)) {
		score := 0.9
		if ip.Is4() && (chunk == "0.0.0.0" || strings.Count(chunk, ".") != 3) {
			score = 0.5
		}
		sc.add(s, e, IP, score)
		return
	}
	if host, _, _ := strings.Cut(lc, "/"); strings.Count(host, ".") >= 1 && knownTLD(host) && validHost(host) && letterBeforeTLD(host) {
		sc.add(s, e, URL, 0.85)
	}
}

// letterBeforeTLD reports a letter in host before its last label: "7.60.pt" (a pH of 7.60, then
// "PT") is no host name.
func letterBeforeTLD(host string) bool {
	for i := 0; i < strings.LastIndexByte(host, '.'); i++ {
		if isAlpha(host[i]) {
			return true
		}
	}
	return false
}

// validEmail checks local@domain.tld shape with a letter-only TLD of 2+ letters.
func validEmail(c string) bool {
	local, domain, ok := strings.Cut(c, "@")
	if !ok || local == "" || strings.IndexByte(domain, '@') >= 0 {
		return false
	}
	dot := strings.LastIndexByte(domain, '.')
	tld := domain[dot+1:]
	if len(tld) < 2 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if !isAlpha(tld[i]) {
			return false
		}
	}
	return validHost(domain)
}

// validHost checks labels of letters, digits and hyphens.
func validHost(h string) bool {
	if h == "" || h[0] == '.' || h[len(h)-1] == '.' || strings.Contains(h, "..") {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c >= 0x80) {
			return false
		}
	}
	return true
}

// parseIP accepts dotted-quad IPv4 and IPv6 (at least two colons, so times like 14:32 do not match).
func parseIP(c string) (netip.Addr, bool) {
	if strings.Count(c, ":") >= 2 || strings.Count(c, ".") == 3 {
		if pct := strings.IndexByte(c, '%'); pct >= 0 {
			c = c[:pct]
		}
		ip, err := netip.ParseAddr(c)
		return ip, err == nil
	}
	return netip.Addr{}, false
}

// knownTLD reports whether the host's last label is a common top-level domain.
// A closed list keeps "e.g." and "Dr.Smith" out.
func knownTLD(host string) bool {
	dot := strings.LastIndexByte(host, '.')
	return commonTLDs[host[dot+1:]] && dot > 1
}

var commonTLDs = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields(`com org net edu gov mil int io co us uk ca au de fr it es nl be ch at se no dk fi
		is ie pt pl cz sk hu ro bg gr tr ru ua jp cn kr in br mx ar cl nz za il sg hk tw info biz health care
		clinic hospital med app dev me tv cy ee lt lv si hr rs ba lu li mt`) {
		m[t] = true
	}
	return m
}()
