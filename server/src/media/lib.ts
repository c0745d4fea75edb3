/**
 * The one place the server reaches into @hall/media. The server package does not list @hall/media as a dependency
 * yet, so this re-exports it by path; once `"@hall/media": "workspace:*"` is in server/package.json this file becomes
 * `export * from '@hall/media';` and nothing else changes.
 */
export * from '../../../media/src/index.ts';
