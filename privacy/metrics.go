package privacy

// Metrics are the achieved privacy and the utility of a released table.
type Metrics struct {
	// K is the smallest equivalence class (suppressed rows excluded).
	K int `json:"k"`
	// L is the smallest class l under the configured l_kind (distinct when unset).
	L float64 `json:"l"`
	// T is the largest EMD between a class's sensitive distribution and the input's.
	T float64 `json:"t"`
	// Classes is the number of distinct released quasi-identifier tuples.
	Classes int `json:"classes"`
	// Suppressed is the number of rows with "*" in every quasi-identifier.
	Suppressed int `json:"suppressed"`
	// NCP is the normalized certainty penalty in [0,1] (Xu et al. 2006):
	// mean over cells of range/domain-range (numeric) or
	// (leaves-1)/(domain-1) (categorical); a suppressed row costs 1 per cell.
	NCP float64 `json:"ncp"`
	// Discernibility is the sum of squared class sizes plus rows*suppressed.
	Discernibility float64 `json:"discernibility"`
	// AvgClassSize is released rows per class.
	AvgClassSize float64 `json:"avg_class_size"`
}
