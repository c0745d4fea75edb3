/** Time-limit choices offered to the chair; "by the rules" leaves the limit to the council's profile (the machine). */
export const LIMIT_MINUTES = [1, 2, 3, 5, 7, 10, 15] as const;
