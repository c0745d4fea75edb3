// hls.js ships `hls.js/light` (no subtitles, alternate audio, DRM or CMCD — none of which the program feed uses,
// and a third smaller) without its own declarations; it has the same API as the full build.
declare module 'hls.js/light' {
  import Hls from 'hls.js';
  export default Hls;
}
