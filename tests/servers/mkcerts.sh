#!/bin/sh
# Throwaway certificates for the wscli TLS tests, made with the openssl CLI.
#
#   sh tests/servers/mkcerts.sh DIR
#
# Writes into DIR (which must exist):
#   ca.pem ca.key                 a test CA ("wscli test CA")
#   server.pem server.key         CA-signed, for localhost and 127.0.0.1
#   expired.pem expired.key       CA-signed, for localhost and 127.0.0.1,
#                                 valid only in January 2020
#   wronghost.pem wronghost.key   CA-signed, for wrong.example only
#   self.pem self.key             self-signed, for localhost and 127.0.0.1
#   client.pem client.key         CA-signed client certificate
#   client-enc.key                client.key encrypted with passphrase "secret"
#   capath/                       ca.pem under its hash name (openssl rehash)
# Prints nothing on success; exits non-zero (with openssl's messages) if a
# step fails.
set -eu
d=$1
cd "$d"

san_ok="subjectAltName=DNS:localhost,IP:127.0.0.1"

# The CA.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
    -days 30 -subj "/CN=wscli test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

# sign NAME SUBJECT EXTENSIONS: a key and a CA-signed certificate, valid 30 days.
sign() {
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.csr" \
        -subj "$2" 2>/dev/null
    printf '%s\n' "$3" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
        -days 30 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

sign server "/CN=localhost" "$san_ok
extendedKeyUsage=serverAuth"
sign wronghost "/CN=wrong.example" "subjectAltName=DNS:wrong.example
extendedKeyUsage=serverAuth"
sign client "/CN=wscli test client" "extendedKeyUsage=clientAuth"
openssl pkey -in client.key -aes256 -passout pass:secret -out client-enc.key

# The expired certificate: "openssl ca" is the one 3.0 command that takes
# explicit start and end dates.
mkdir -p caroot
: >caroot/index.txt
echo 1000 >caroot/serial
cat >caroot/ca.cnf <<CNF
[ ca ]
default_ca = test
[ test ]
dir = caroot
database = caroot/index.txt
serial = caroot/serial
new_certs_dir = caroot
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = ext
unique_subject = no
[ any ]
commonName = supplied
[ ext ]
$san_ok
extendedKeyUsage = serverAuth
CNF
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout expired.key -out expired.csr \
    -subj "/CN=localhost" 2>/dev/null
openssl ca -batch -notext -config caroot/ca.cnf -in expired.csr \
    -startdate 20200101000000Z -enddate 20200201000000Z -out expired.pem 2>/dev/null
rm -rf caroot expired.csr

# The self-signed certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout self.key -out self.pem \
    -days 30 -subj "/CN=localhost" -addext "$san_ok" 2>/dev/null

mkdir -p capath
cp ca.pem capath/
openssl rehash capath 2>/dev/null || c_rehash capath >/dev/null
