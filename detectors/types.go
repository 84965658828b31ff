// Package detectors finds the 18 HIPAA Safe Harbor identifiers in free text.
package detectors

// Type is a canonical PHI type, one per Safe Harbor identifier (45 CFR 164.514(b)(2)).
type Type string

// The canonical types. Each detector file documents the forms it finds, with examples.
const (
	Name       Type = "NAME"        // persons: patients, relatives, clinicians
	Location   Type = "LOCATION"    // street, city, county, ZIP, facility: any unit smaller than a state
	Date       Type = "DATE"        // every element of a date but the year
	Age        Type = "AGE"         // ages over 89
	Phone      Type = "PHONE"       // telephone numbers
	Fax        Type = "FAX"         // fax numbers
	Email      Type = "EMAIL"       // e-mail addresses
	SSN        Type = "SSN"         // social security numbers
	MRN        Type = "MRN"         // medical record numbers
	HealthPlan Type = "HEALTH_PLAN" // health plan beneficiary numbers
	Account    Type = "ACCOUNT"     // bank, credit card, IBAN
	License    Type = "LICENSE"     // certificate/license numbers, driver's licenses, DEA
	Vehicle    Type = "VEHICLE"     // VIN, plates
	Device     Type = "DEVICE"      // serials, UDI
	URL        Type = "URL"         // web addresses
	IP         Type = "IP"          // IPv4, IPv6
	Biometric  Type = "BIOMETRIC"   // biometric identifiers
	ID         Type = "ID"          // any other unique identifying number or code
)

// AllTypes lists the canonical types in a fixed order (metrics, audit counts).
var AllTypes = []Type{Name, Location, Date, Age, Phone, Fax, Email, SSN, MRN, HealthPlan,
	Account, License, Vehicle, Device, URL, IP, Biometric, ID}

// Span is one detection. Start and End are Unicode code-point offsets into the
// text, End exclusive; Score is in [0,1].
type Span struct {
	Start int     `json:"start"`
	End   int     `json:"end"`
	Type  Type    `json:"type"`
	Score float64 `json:"score"`
}
