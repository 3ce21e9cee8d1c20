// FFmpeg's demuxing, decoding, encoding and colour-conversion libraries (Debian: libavformat-dev, libavcodec-dev,
// libswscale-dev, libavutil-dev). The helpers below stand in for macros Swift cannot import.
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/display.h>
#include <errno.h>

static inline int reel_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int reel_averror_eof(void) { return AVERROR_EOF; }
static inline int64_t reel_av_nopts_value(void) { return AV_NOPTS_VALUE; }
