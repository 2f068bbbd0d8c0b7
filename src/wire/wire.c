#include "wire/wire.h"

const char *wire_error_name(int error)
{
    switch (error) {
    case WIRE_TRUNCATED: return "truncated";
    case WIRE_BAD_VERSION: return "bad version";
    case WIRE_BAD_HEADER_LEN: return "bad header length";
    case WIRE_BAD_LENGTH: return "bad length";
    case WIRE_BAD_CHECKSUM: return "bad checksum";
    case WIRE_BAD_OPTION: return "bad option";
    case WIRE_UNSUPPORTED: return "unsupported";
    case WIRE_BAD_FIELD: return "bad field";
    default: return error >= 0 ? "ok" : "unknown error";
    }
}
