/* For CI under Debian 12's Wine 8.0 only, never shipped: Rust's standard library (1.78+) takes
 * its randomness from ProcessPrng in bcryptprimitives.dll, which Windows 10+ has and Wine 8.0
 * lacks. This stand-in answers from RtlGenRandom (advapi32's SystemFunction036). */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
