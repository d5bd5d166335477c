/** Physical constants, CODATA 2018 (exact SI values since the 2019 redefinition). */
export const FARADAY_C_PER_MOL = 96485.33212;
export const GAS_CONSTANT_J_PER_MOL_K = 8.314462618;
export const CODATA_YEAR = 2018;
/** Avogadro constant (1/mol), exact since the 2019 SI (CODATA 2018). */
export const AVOGADRO_PER_MOL = 6.02214076e23;
