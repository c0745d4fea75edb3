/**
 * Vietnamese text folded for comparison: no diacritics, đ → d, lower case. "chat van" finds "chất vấn", a spreadsheet
 * header "HO VA TEN" is "Họ và tên", "Đông Hải" makes the id "dong-hai". One definition for search, imports and ids.
 */
export function foldVietnamese(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}
