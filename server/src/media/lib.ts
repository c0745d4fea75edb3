/** The one place the server reaches into @hall/media. */
export * from '@hall/media';
