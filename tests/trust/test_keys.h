// Fixed keys and one signature made by Debian's ssh-keygen (OpenSSH 9.2) for the unit tests;
// tests/trust/differential_test.cc makes fresh ones at test time.
#ifndef S3US_TESTS_TRUST_TEST_KEYS_H_
#define S3US_TESTS_TRUST_TEST_KEYS_H_

namespace s3us::trust::testing {

inline constexpr char kEd25519Pub[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZMqS53kt+T5x8gt7gy9q/smt6suIjlLEBTh0c4tNww";
// ssh-keygen -l: 256 SHA256:10Aq6+v/ts7u2snNJLeIwx2YjARo/MJhIlkW9+sA0A0 (ED25519)
inline constexpr char kEd25519Fingerprint[] = "SHA256:10Aq6+v/ts7u2snNJLeIwx2YjARo/MJhIlkW9+sA0A0";
inline constexpr char kEcdsa521Pub[] =
    "ecdsa-sha2-nistp521 "
    "AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAErtc5RcEplCduVFbmI/fxkqJtMHVPOP3Yemu/"
    "crL31ukyE6Egrclpbs+hXLfNYWjW6AHBf3zpyfq8n5wclYhYGagD5ACbh8A2JovYgzQ54W0kbBMAxiVDJtE0+"
    "4aADVjpIoVCesALx8wUqHVwFbXBLwDTR7V6kycJ4lF8oJy/sEUPsww==";
inline constexpr char kEcdsa521Fingerprint[] = "SHA256:gklU6N/WR9EL7UQgjGnVzsI+j/xKQ5gfIUhaziPca2I";
inline constexpr char kRsa3072Pub[] =
    "ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAABgQDKCyY3w7irTySA2gtGN7dp0JK68NaKzWeCzIaS6Fn+"
    "Q1if4CsY95HiFZopebYNuY/"
    "l3H4aoSwHZvhCHbStPK8jNRUE4UXL0Rx2lBaqpCvvILWRfq+ScSUVob06RLWCtdpKrdlWJ+"
    "U79cy4ROnQM2jOrqxVeAxSA03OJbNMzFqb5nzQdY9vhsEkZiGLFp/"
    "sZ7kF7QDA2jQkmJRla0HhhoFys2eeroXyJapE4APUFMEcnhlYAIbgrtHvRFuSzpjepbzD46aAbmym4ADYCvdXca+H+"
    "uyENqLr5yRdlLx3/VliZiVO0HJHUA+yhjW1HMXm4L9o/"
    "Wzoy9YnnWad7kcvhxmUrcnISP82td8X4e9PmekUXTdgHbKDCr9teDeTQ66hM2JI8CfQUv0+36fS+"
    "UTaRRbbJc0hZlH160hyatYmz1gUYuHnUP8rMJa+cuzroddOTGq/"
    "UDL3bAMWJ0mx3eCu94PRZaOy41RyINoEnWoPvowCfTipqxrqdTzsyT6LkoaKXjc=";
inline constexpr char kRsa3072Fingerprint[] = "SHA256:ut5gwvtjY/fiQ15cSjK6UVegim9I4XeDkKikskB4Fns";

inline constexpr char kMessage[] = "#!/bin/sh\necho signed boot material\n";
// ssh-keygen -Y sign -n s3-user-script -f ed25519 over kMessage.
inline constexpr char kEd25519Signature[] = R"(-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg5kypLneS35PnHyC3uDL2r+ya3q
y4iOUsQFOHRzi03DAAAAAOczMtdXNlci1zY3JpcHQAAAAAAAAABnNoYTUxMgAAAFMAAAAL
c3NoLWVkMjU1MTkAAABAxLJ0SifihJZM+PSdl2XLoScbe2byY+8cdK7wwqaQXVT/t+Hz0+
Zx2gVatIg6CZ17UP5K8mzdaIiVztXsGdtXAw==
-----END SSH SIGNATURE-----
)";

}  // namespace s3us::trust::testing

#endif  // S3US_TESTS_TRUST_TEST_KEYS_H_
