/**
 * The font files the PDF renderers read (./fonts.ts) and where each comes from in node_modules. Kept free
 * of imports so lib/ (the NodejsFunction command hooks that copy them beside a bundle) can use it too.
 */
export type FontName = 'NotoSans-Regular.ttf' | 'NotoSans-Bold.ttf' | 'NotoSansJP-Regular.ttf' | 'NotoSansKR-Regular.ttf';

export const FONT_FILES: Record<FontName, string> = {
  'NotoSans-Regular.ttf': '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  'NotoSans-Bold.ttf': '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  'NotoSansJP-Regular.ttf': '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
  // Hangul: Noto Sans JP has kana and kanji but no Hangul syllables, so Korean names need their own font.
  'NotoSansKR-Regular.ttf': '@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf',
};

/** Directory name of the fonts beside a Lambda bundle (`$LAMBDA_TASK_ROOT/fonts`). */
export const FONTS_DIR_NAME = 'fonts';
