import { ErrorCode, Refusal } from '@hall/core';
import { describe, expect, it } from 'vitest';
import { createI18n, en, LANG_STORAGE_KEY, LANGS, NAMESPACES, storedLang, storeLang, vi } from '../src/i18n/index.ts';
import { MemoryStorage } from './support/fake-hall.ts';

type Tree = { readonly [k: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('[KIT-I18N] catalogs', () => {
  const viKeys = leaves(vi as Tree);
  const enKeys = leaves(en as Tree);

  it('[KIT-I18N-1] Vietnamese and English have exactly the same keys, none empty', () => {
    expect([...enKeys.keys()].sort()).toEqual([...viKeys.keys()].sort());
    for (const [key, text] of [...viKeys, ...enKeys]) expect(text.trim(), key).not.toBe('');
    expect(Object.keys(vi).sort()).toEqual([...NAMESPACES].sort());
  });

  it('[KIT-I18N-2] every translation uses the same placeholders as the Vietnamese', () => {
    for (const [key, text] of viKeys) expect(placeholders(enKeys.get(key)!), key).toEqual(placeholders(text));
  });

  it('[KIT-I18N-3] every error code and refusal reason has words, taken from core', () => {
    for (const code of Object.values(ErrorCode)) expect(viKeys.has(`common.errors.${code}`), code).toBe(true);
    for (const reason of Object.keys(Refusal) as (keyof typeof Refusal)[]) {
      expect(viKeys.get(`common.refusals.${reason}`)).toBe(Refusal[reason].vi);
      expect(enKeys.get(`common.refusals.${reason}`)).toBe(Refusal[reason].en);
    }
  });

  it('[KIT-I18N-4] the words of docs/rules.md are the ones used', () => {
    const words = new Set(viKeys.values());
    for (const w of [
      'Kỳ họp', 'Phiên họp', 'Chương trình kỳ họp', 'Nội dung', 'Chủ tọa', 'Thư ký kỳ họp', 'Đại biểu', 'Tổ đại biểu',
      'Điểm danh', 'Có mặt', 'Vắng mặt có lý do', 'Vắng mặt không có lý do', 'Tổng số đại biểu', 'Đăng ký phát biểu',
      'Rút đăng ký', 'Mời phát biểu', 'Đang phát biểu', 'Thời gian còn lại', 'Hết thời gian', 'Tranh luận', 'Giải trình',
      'Biểu quyết', 'Bắt đầu biểu quyết', 'Kết thúc biểu quyết', 'Tán thành', 'Không tán thành', 'Không biểu quyết',
      'Tham gia biểu quyết', 'Kết quả biểu quyết', 'THÔNG QUA', 'KHÔNG THÔNG QUA', 'Biểu quyết lại', 'Bỏ phiếu kín',
      'Ban kiểm phiếu', 'Phiếu phát ra', 'Phiếu thu về', 'Phiếu hợp lệ', 'Phiếu không hợp lệ', 'Biên bản kiểm phiếu',
      'Lấy phiếu tín nhiệm', 'Bỏ phiếu tín nhiệm', 'Tín nhiệm cao', 'Tín nhiệm', 'Tín nhiệm thấp', 'Không tín nhiệm',
      'Chất vấn', 'Người trả lời chất vấn', 'Phiếu chất vấn', 'Nhóm vấn đề chất vấn', 'Trả lời bằng văn bản',
      'Lời hứa / Cam kết', 'Truyền hình trực tiếp', 'Tạm nghỉ', 'Tiếp tục', 'Bế mạc', 'Họp kín', 'Đã ghi nhận',
      'Chưa ghi nhận — đang gửi lại', 'Có thể xin từ chức, nếu không sẽ bị bỏ phiếu tín nhiệm', 'Đề nghị miễn nhiệm',
    ]) {
      expect(words.has(w), w).toBe(true);
    }
  });

  it('[KIT-I18N-5] createI18n is ready at once, Vietnamese by default, with interpolation and namespaces', () => {
    const i18n = createI18n();
    expect(i18n.language).toBe('vi');
    expect(i18n.t('result.adopted')).toBe('THÔNG QUA');
    expect(i18n.t('quorum.required', { required: 57 })).toBe('Cần ít nhất 57 đại biểu');
    expect(i18n.t('floor.request', { ns: 'delegate' })).toBe('Đăng ký phát biểu');
    expect(i18n.t('nowSpeaking', { ns: 'wall' })).toBe('Đang phát biểu');
    const english = createI18n('en');
    expect(english.t('result.notAdopted')).toBe('NOT ADOPTED');
    expect(english.t('poll.open', { ns: 'chair' })).toBe('Start the vote');
    // separate instances: changing one language leaves the other alone
    void english.changeLanguage('vi');
    expect(english.t('result.notAdopted')).toBe('KHÔNG THÔNG QUA');
    expect(createI18n('en').language).toBe('en');
    expect(LANGS).toEqual(['vi', 'en']);
  });

  it('[KIT-I18N-6] the chosen language is kept in storage, and junk reads as Vietnamese', () => {
    const storage = new MemoryStorage();
    expect(storedLang(storage)).toBe('vi');
    storeLang('en', storage);
    expect(storage.getItem(LANG_STORAGE_KEY)).toBe('en');
    expect(storedLang(storage)).toBe('en');
    storage.setItem(LANG_STORAGE_KEY, 'fr');
    expect(storedLang(storage)).toBe('vi');
    expect(storedLang(null)).toBe('vi');
  });
});
