#!/usr/bin/env python3
"""An independent implementation of MSEZ SPEC §1-7, used to cross-check the Rust code.

Goal: a third party's view of our bytes. This file shares no code with the Rust workspace; it is
written from ../shared/SPEC.md and the W3C / RFC texts, on PyPI `rfc8785` (JCS) and
`cryptography` (Ed25519 through OpenSSL). Base58btc and the Ed25519 small-order check are written
out here (a few lines each) so that no third package sits between the SPEC and the result.

Interface: `oracle.py COMMAND` reads one JSON object `{"items": [ITEM, ...]}` on stdin and writes
`{"results": [RESULT, ...]}` on stdout, one result per item, in order. A result is `{"ok": VALUE}`
or `{"error": "reason"}`: a bad item never aborts the batch. Batches keep the Rust tests at one
process per check, not one per document. A malformed request (not JSON, unknown command) exits 2.

Commands and their items:
  canon              {"input_hex", "profile": "msez"|"rfc8785"} -> {"canonical_hex", "digest"}
  mmr                {"next_roots": [hex]} -> {"root": hex|null, "peaks", "proofs": [proof]}
  mmr-verify         {"root", "proof"} -> {"valid": bool, "reason"}
  key                {"seed_hex"} -> {"public_key_hex", "did", "verification_method"}
  did-decode         {"did"} -> {"public_key_hex"}
  sign               {"document", "seed_hex", "created"} -> signed document (proof appended)
  verify             {"document"} -> [{"verification_method", "valid", "reason"}] per proof
  vc-verify          {"credential", "now"} -> {"valid", "checks": {...}, "proofs": [...]}
  receipt-next-root  {"receipt"} -> {"next_root"}
  genesis-root       {"genesis"} -> {"genesis_root"}
  checkpoint-digest  {"checkpoint"} -> {"digest"}
  chain-verify       {"lines": [text], "now"?} -> {"height", "head", "mmr_root"}
  chain-build        {"genesis", "signer_seeds", "threshold", "receipt_count", "start",
                      "with_checkpoint"} -> {"lines": [text]} (a signed export)
  selftest           {"vectors_dir"} -> {"checks": count}  (W3C, JCS and RFC 8032 vectors)
"""

import datetime
import hashlib
import json
import os
import re
import sys

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class OracleError(Exception):
    """A rejection of one item; its message becomes that item's `error`."""


# --- SPEC §1: canonical JSON and digests -------------------------------------------------------

INTEGER_MAGNITUDE_MAX = 2**53 - 1


def _reject_float(text):
    raise OracleError(f"number {text} is not an integer")


def _checked_int(text):
    value = int(text)
    if abs(value) > INTEGER_MAGNITUDE_MAX:
        raise OracleError(f"integer {text} is outside +-(2^53-1)")
    return value


def _reject_constant(text):
    raise OracleError(f"{text} is not JSON")


def _no_duplicates(pairs):
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise OracleError(f"duplicate key {key!r}")
        seen.add(key)
    return dict(pairs)


def parse_json(data: bytes, profile: str = "msez"):
    """Strict JSON parse: UTF-8 only, no duplicate keys; the msez profile also demands integers
    within +-(2^53-1) and no fraction or exponent (SPEC §1)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise OracleError(f"invalid UTF-8: {error}") from None
    kwargs = {"object_pairs_hook": _no_duplicates, "parse_constant": _reject_constant}
    if profile == "msez":
        kwargs["parse_float"] = _reject_float
        kwargs["parse_int"] = _checked_int
    elif profile != "rfc8785":
        raise OracleError(f"unknown profile {profile}")
    try:
        return json.loads(text, **kwargs)
    except OracleError:
        raise
    except (ValueError, RecursionError) as error:
        raise OracleError(f"not JSON: {error}") from None


def canon(value) -> bytes:
    try:
        return rfc8785.dumps(value)
    except Exception as error:  # rfc8785 raises several types; all mean "not canonicalisable".
        raise OracleError(f"cannot canonicalise: {error}") from None


def digest(value) -> str:
    return hashlib.sha256(canon(value)).hexdigest()


def check_hex_digest(value, field):
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{64}", value):
        raise OracleError(f"{field}: not 64 lowercase hex characters")
    return bytes.fromhex(value)


TIME_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def check_time(value, field):
    if not isinstance(value, str) or not TIME_PATTERN.fullmatch(value):
        raise OracleError(f"{field}: not YYYY-MM-DDTHH:MM:SSZ")
    return value  # This format compares correctly as a string.


# --- SPEC §2: keys and did:key -----------------------------------------------------------------

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = B58_ALPHABET[rest] + out
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        position = B58_ALPHABET.find(char)
        if position < 0:
            raise OracleError(f"{char!r} is not a base58btc character")
        number = number * 58 + position
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


ED25519_MULTICODEC = b"\xed\x01"


def did_from_public_key(public_key: bytes) -> str:
    return "did:key:z" + b58encode(ED25519_MULTICODEC + public_key)


def public_key_from_did(did: str) -> bytes:
    if not isinstance(did, str) or not did.startswith("did:key:z"):
        raise OracleError(f"{did!r} is not a did:key with a base58btc multibase value")
    raw = b58decode(did[len("did:key:z"):])
    if len(raw) != 34 or raw[:2] != ED25519_MULTICODEC:
        raise OracleError(f"{did!r} is not an Ed25519 did:key (0xed01 + 32 bytes)")
    return raw[2:]


def public_key_from_verification_method(method: str):
    """`did:key:z...#z...` with the fragment equal to the multibase value (SPEC §2)."""
    if not isinstance(method, str) or "#" not in method:
        raise OracleError("verificationMethod: missing #fragment")
    did, fragment = method.split("#", 1)
    if fragment != did[len("did:key:"):]:
        raise OracleError("verificationMethod: fragment differs from the did:key value")
    return did, public_key_from_did(did)


def keypair_from_seed(seed: bytes):
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return private_key, public_key


# Strict verification (SPEC §2) rejects small-order and non-canonical points, which OpenSSL lets
# through for A. The curve arithmetic below decodes a point and multiplies it by the cofactor.
P = 2**255 - 19
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _decode_point(encoded: bytes):
    y = int.from_bytes(encoded, "little") & ((1 << 255) - 1)
    sign = encoded[31] >> 7
    if y >= P:
        raise OracleError("point encoding is not canonical")
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P != 0:
        x = x * SQRT_M1 % P
    if (v * x * x - u) % P != 0:
        raise OracleError("point is not on the curve")
    if x == 0 and sign == 1:
        raise OracleError("point encoding is not canonical")
    if x & 1 != sign:
        x = P - x
    return x, y


def _add(left, right):
    (x1, y1), (x2, y2) = left, right
    t = D * x1 * x2 * y1 * y2 % P
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, P - 2, P) % P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, P - 2, P) % P
    return x3, y3


def _is_small_order(point) -> bool:
    for _ in range(3):
        point = _add(point, point)
    return point == (0, 1)


def verify_strict(public_key: bytes, signature: bytes, message: bytes):
    if len(public_key) != 32 or len(signature) != 64:
        raise OracleError("public key must be 32 bytes and signature 64 bytes")
    for name, encoded in (("public key", public_key), ("signature R", signature[:32])):
        if _is_small_order(_decode_point(encoded)):
            raise OracleError(f"{name} is a small-order point")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        raise OracleError("signature does not verify") from None


# --- SPEC §3: eddsa-jcs-2022 Data Integrity proofs ----------------------------------------------

def _proof_list(document):
    proof = document.get("proof")
    if proof is None:
        return []
    return proof if isinstance(proof, list) else [proof]


def _signing_input(unsecured: dict, proof_options: dict) -> bytes:
    """W3C eddsa-jcs-2022: SHA-256(JCS(proof options)) || SHA-256(JCS(document))."""
    return hashlib.sha256(canon(proof_options)).digest() + hashlib.sha256(canon(unsecured)).digest()


def sign_document(document: dict, seed: bytes, created: str) -> dict:
    check_time(created, "created")
    private_key, public_key = keypair_from_seed(seed)
    did = did_from_public_key(public_key)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created,
        "verificationMethod": f"{did}#{did[len('did:key:'):]}",
        "proofPurpose": "assertionMethod",
    }
    if "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    signature = private_key.sign(_signing_input(unsecured, options))
    proof = dict(options, proofValue="z" + b58encode(signature))
    existing = _proof_list(document)
    signed = dict(unsecured)
    signed["proof"] = existing + [proof] if existing else proof
    return signed


def verify_proof(unsecured: dict, proof) -> str:
    """Checks one proof; returns its verificationMethod or raises OracleError with the reason."""
    if not isinstance(proof, dict):
        raise OracleError("proof: not an object")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if options.get("type") != "DataIntegrityProof":
        raise OracleError("proof.type: not DataIntegrityProof")
    if options.get("cryptosuite") != "eddsa-jcs-2022":
        raise OracleError("proof.cryptosuite: not eddsa-jcs-2022")
    check_time(options.get("created"), "proof.created")
    if "@context" in options:
        context = unsecured.get("@context")
        wanted = options["@context"]
        if not isinstance(context, list) or not isinstance(wanted, list):
            raise OracleError("proof.@context: document @context is not a list")
        if context[: len(wanted)] != wanted:
            raise OracleError("proof.@context: not a prefix of the document's @context")
    method = options.get("verificationMethod")
    _, public_key = public_key_from_verification_method(method)
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise OracleError("proof.proofValue: not a base58btc multibase value")
    verify_strict(public_key, b58decode(value[1:]), _signing_input(unsecured, options))
    return method


def verify_document(document: dict):
    if not isinstance(document, dict):
        raise OracleError("document: not an object")
    proofs = _proof_list(document)
    if not proofs:
        raise OracleError("proof: missing")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    results = []
    for proof in proofs:
        method = proof.get("verificationMethod") if isinstance(proof, dict) else None
        try:
            verify_proof(unsecured, proof)
            results.append({"verification_method": method, "valid": True, "reason": None})
        except OracleError as error:
            results.append({"verification_method": method, "valid": False, "reason": str(error)})
    return results


# --- SPEC §4: verifiable credentials -----------------------------------------------------------

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def vc_verify(credential: dict, now: str):
    """Every SPEC §4 check except revocation: structure, proofs, issuer control, window, purpose."""
    check_time(now, "now")
    checks = {}
    context = credential.get("@context")
    checks["context"] = isinstance(context, list) and bool(context) and context[0] == VC_CONTEXT
    types = credential.get("type")
    checks["type"] = isinstance(types, list) and "VerifiableCredential" in types
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    try:
        public_key_from_did(issuer_id)
        checks["issuer"] = True
    except OracleError:
        checks["issuer"] = False
    checks["credential_subject"] = isinstance(credential.get("credentialSubject"), (dict, list))
    try:
        valid_from = check_time(credential.get("validFrom"), "validFrom")
        valid_until = credential.get("validUntil")
        in_window = valid_from <= now
        if valid_until is not None:
            in_window = in_window and now <= check_time(valid_until, "validUntil")
        checks["validity_window"] = in_window
    except OracleError:
        checks["validity_window"] = False
    proofs = verify_document(credential) if "proof" in credential else []
    for result, proof in zip(proofs, _proof_list(credential)):
        method = result["verification_method"]
        controls = isinstance(method, str) and method.split("#", 1)[0] == issuer_id
        purpose = proof.get("proofPurpose") == "assertionMethod"
        result["issuer_controls_method"] = controls
        result["proof_purpose"] = purpose
        result["valid"] = result["valid"] and controls and purpose
    checks["proofs"] = bool(proofs) and all(result["valid"] for result in proofs)
    return {"valid": all(checks.values()), "checks": checks, "proofs": proofs}


# --- SPEC §5: receipts and genesis ----------------------------------------------------------------

def _digest_set(value, field):
    if not isinstance(value, list):
        raise OracleError(f"{field}: not a list")
    for item in value:
        check_hex_digest(item, field)
    return sorted(set(value))


def receipt_next_root(receipt: dict) -> str:
    if not isinstance(receipt, dict):
        raise OracleError("receipt: not an object")
    body = {k: v for k, v in receipt.items() if k not in ("proof", "next_root")}
    for field in ("lawpack_digest_set", "ruleset_digest_set"):
        body[field] = _digest_set(body.get(field), field)
    return digest(body)


GENESIS_TAG = "msez.corridor.state.genesis.v1"


def genesis_root(genesis: dict) -> str:
    if not isinstance(genesis, dict):
        raise OracleError("genesis: not an object")
    fields = ("corridor_id", "definition_payload_sha256", "agreement_set_sha256")
    missing = [field for field in fields if field not in genesis]
    if missing:
        raise OracleError(f"{missing[0]}: missing")
    body = {"tag": GENESIS_TAG}
    for field in fields:
        body[field] = genesis[field]
    check_hex_digest(body["definition_payload_sha256"], "definition_payload_sha256")
    check_hex_digest(body["agreement_set_sha256"], "agreement_set_sha256")
    for field in ("lawpack_digest_set", "ruleset_digest_set"):
        body[field] = _digest_set(genesis.get(field), field)
    return digest(body)


# --- SPEC §6: Merkle Mountain Range ------------------------------------------------------------

def mmr_leaf(next_root: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + next_root).digest()


def mmr_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def peak_plan(size: int):
    """Peak heights, left to right, for `size` leaves: the set bits of size, high to low."""
    return [bit for bit in range(size.bit_length() - 1, -1, -1) if size >> bit & 1]


def bag(peak_hashes):
    root = peak_hashes[-1]
    for peak in reversed(peak_hashes[:-1]):
        root = mmr_node(peak, root)
    return root


def mmr_build(next_roots):
    """Root, peaks and every leaf's inclusion proof, computed tree by tree (not by the binary
    counter the Rust side uses), so the two derivations meet only in the result."""
    leaves = [mmr_leaf(check_hex_digest(root, "next_root")) for root in next_roots]
    size = len(leaves)
    peaks, proofs, start = [], [], 0
    for peak_index, height in enumerate(peak_plan(size)):
        levels = [leaves[start: start + (1 << height)]]
        while len(levels[-1]) > 1:
            below = levels[-1]
            levels.append([mmr_node(below[i], below[i + 1]) for i in range(0, len(below), 2)])
        peaks.append({"height": height, "hash": levels[-1][0].hex()})
        for position in range(1 << height):
            path = []
            for level in range(height):
                index = position >> level
                sibling = levels[level][index ^ 1]
                path.append({"side": "left" if index & 1 else "right", "hash": sibling.hex()})
            proofs.append({
                "size": size, "leaf_index": start + position,
                "receipt_next_root": next_roots[start + position],
                "leaf_hash": levels[0][position].hex(),
                "peak_index": peak_index, "peak_height": height, "path": path, "peaks": None,
            })
        start += 1 << height
    for proof in proofs:
        proof["peaks"] = peaks
    root = bag([bytes.fromhex(peak["hash"]) for peak in peaks]).hex() if peaks else None
    return {"root": root, "peaks": peaks, "proofs": proofs}


def _int_field(proof, field):
    value = proof.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise OracleError(f"{field}: not a non-negative integer")
    return value


def mmr_verify(root_hex: str, proof: dict):
    """SPEC §6 verification against a trusted root; also checks that every stated field agrees
    with what it can be recomputed from (leaf hash, sides from the leaf index, the peak)."""
    trusted_root = check_hex_digest(root_hex, "root")
    if not isinstance(proof, dict):
        raise OracleError("proof: not an object")
    size = _int_field(proof, "size")
    leaf_index = _int_field(proof, "leaf_index")
    peak_index = _int_field(proof, "peak_index")
    peak_height = _int_field(proof, "peak_height")
    if not leaf_index < size:
        raise OracleError("leaf_index: not below size")
    leaf = mmr_leaf(check_hex_digest(proof.get("receipt_next_root"), "receipt_next_root"))
    if leaf != check_hex_digest(proof.get("leaf_hash"), "leaf_hash"):
        raise OracleError("leaf_hash: does not match receipt_next_root")
    plan = peak_plan(size)
    peaks = proof.get("peaks")
    if not isinstance(peaks, list) or [p.get("height") if isinstance(p, dict) else None
                                       for p in peaks] != plan:
        raise OracleError("peaks: do not match the peak plan of size")
    peak_hashes = [check_hex_digest(p.get("hash"), "peaks.hash") for p in peaks]
    if not peak_index < len(plan) or plan[peak_index] != peak_height:
        raise OracleError("peak_index/peak_height: not in the peak plan of size")
    start = sum(1 << height for height in plan[:peak_index])
    if not start <= leaf_index < start + (1 << peak_height):
        raise OracleError("leaf_index: not under peak_index")
    path = proof.get("path")
    if not isinstance(path, list) or len(path) != peak_height:
        raise OracleError("path: length differs from peak_height")
    current, position = leaf, leaf_index - start
    for level, step in enumerate(path):
        if not isinstance(step, dict):
            raise OracleError("path: step is not an object")
        sibling = check_hex_digest(step.get("hash"), "path.hash")
        expected_side = "left" if position >> level & 1 else "right"
        if step.get("side") != expected_side:
            raise OracleError(f"path[{level}].side: not {expected_side} for this leaf_index")
        current = mmr_node(sibling, current) if expected_side == "left" else mmr_node(current, sibling)
    if current != peak_hashes[peak_index]:
        raise OracleError("peaks: the folded path differs from the stated peak")
    if bag(peak_hashes) != trusted_root:
        raise OracleError("root: the bagged peaks differ from the trusted root")


# --- SPEC §7: checkpoints, and chain exports -----------------------------------------------------

def checkpoint_digest(checkpoint: dict) -> str:
    if not isinstance(checkpoint, dict):
        raise OracleError("checkpoint: not an object")
    return digest({k: v for k, v in checkpoint.items() if k != "proof"})


EXPORT_TYPE = "MSEZCorridorChainExport"


def _policy_satisfied(document, policy) -> bool:
    """k-of-n: at least `threshold` distinct named signers with a valid proof."""
    signers = set(policy["signers"])
    valid = {result["verification_method"].split("#", 1)[0]
             for result in verify_document(document) if result["valid"]}
    return len(valid & signers) >= policy["threshold"]


def _line_error(line_number, reason):
    return OracleError(f"line {line_number}: {reason}")


def chain_verify(lines, now=None):
    """Replays an export (header, receipts, optional trailing checkpoint; SPEC §5, §7) the way
    an auditor would, and returns the state it proves: height, head and MMR root."""
    documents = [parse_json(line.encode("utf-8")) for line in lines]
    if not documents:
        raise OracleError("line 1: missing header")
    header = documents[0]
    if not isinstance(header, dict) or header.get("type") != EXPORT_TYPE:
        raise _line_error(1, f"type is not {EXPORT_TYPE}")
    genesis = header["genesis"]
    if genesis.get("tag") != GENESIS_TAG:
        raise _line_error(1, "genesis.tag is wrong")
    head = genesis_root(genesis)
    if header.get("genesis_root") != head:
        raise _line_error(1, "genesis_root does not recompute")
    policy = header["receipt_signing_policy"]
    corridor_id = genesis["corridor_id"]
    sets = {field: genesis[field] for field in ("lawpack_digest_set", "ruleset_digest_set")}
    next_roots, last_time = [], None
    for line_number, document in enumerate(documents[1:], start=2):
        if not isinstance(document, dict):
            raise _line_error(line_number, "not an object")
        if document.get("type") == "MSEZCorridorStateCheckpoint":
            if line_number != len(documents):
                raise _line_error(line_number, "checkpoint is not the last line")
            _check_checkpoint(document, header["genesis_root"], head, sets, next_roots, policy)
            break
        _check_receipt(document, len(next_roots), corridor_id, head, last_time, now, policy,
                       line_number)
        last_time, head = document["timestamp"], document["next_root"]
        sets = {field: document[field] for field in sets}
        next_roots.append(head)
    return {"height": len(next_roots), "head": head, "mmr_root": mmr_build(next_roots)["root"]}


RECEIPT_MEMBERS = {"type", "corridor_id", "sequence", "timestamp", "prev_root", "next_root",
                   "lawpack_digest_set", "ruleset_digest_set", "transition", "proof"}


def _check_receipt(receipt, sequence, corridor_id, head, last_time, now, policy, line_number):
    fail = lambda reason: _line_error(line_number, f"sequence {sequence}: {reason}")
    if receipt.get("type") != "MSEZCorridorStateReceipt":
        raise fail("type is not MSEZCorridorStateReceipt")
    if set(receipt) - RECEIPT_MEMBERS:
        raise fail(f"unknown members {sorted(set(receipt) - RECEIPT_MEMBERS)}")
    if receipt.get("corridor_id") != corridor_id:
        raise fail("corridor_id differs")
    if receipt.get("sequence") != sequence:
        raise fail(f"sequence member is {receipt.get('sequence')}")
    if receipt.get("prev_root") != head:
        raise fail("prev_root is not the head")
    for field in ("lawpack_digest_set", "ruleset_digest_set"):
        if receipt.get(field) != _digest_set(receipt.get(field), field):
            raise fail(f"{field} is not sorted and duplicate-free")
    if receipt_next_root(receipt) != receipt.get("next_root"):
        raise fail("next_root does not recompute")
    timestamp = check_time(receipt.get("timestamp"), "timestamp")
    if last_time is not None and timestamp < last_time:
        raise fail("timestamp goes backwards")
    if now is not None and timestamp > now:
        raise fail("timestamp is in the future")
    transition = receipt.get("transition")
    if transition is not None and digest(transition.get("payload")) != transition.get(
            "payload_sha256"):
        raise fail("transition.payload_sha256 does not recompute")
    if not _policy_satisfied(receipt, policy):
        raise fail("proofs do not satisfy the receipt-signing policy")


def _check_checkpoint(checkpoint, genesis_root_hex, head, sets, next_roots, policy):
    built = mmr_build(next_roots)
    expected = {
        "type": "MSEZCorridorStateCheckpoint", "genesis_root": genesis_root_hex,
        "final_state_root": head, "receipt_count": len(next_roots),
        "lawpack_digest_set": sets["lawpack_digest_set"],
        "ruleset_digest_set": sets["ruleset_digest_set"],
        "mmr": {"type": "MSEZReceiptMMR", "algorithm": "sha256", "size": len(next_roots),
                "root": built["root"], "peaks": built["peaks"]},
    }
    for field, value in expected.items():
        if checkpoint.get(field) != value:
            raise OracleError(f"checkpoint.{field}: differs from the replayed chain")
    if not _policy_satisfied(checkpoint, policy):
        raise OracleError("checkpoint.proof: does not satisfy the receipt-signing policy")


def _time_at(start: str, offset_seconds: int) -> str:
    instant = datetime.datetime.strptime(check_time(start, "start"), "%Y-%m-%dT%H:%M:%SZ")
    return (instant + datetime.timedelta(seconds=offset_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def chain_build(item):
    """A signed export built here (so the Rust verifier sees a chain it did not make): header,
    `receipt_count` receipts one minute apart from `start`, each carrying a transition and
    signed by every seed, then a checkpoint when `with_checkpoint` is true."""
    genesis, seeds = item["genesis"], [bytes.fromhex(seed) for seed in item["signer_seeds"]]
    dids = sorted((did_from_public_key(keypair_from_seed(seed)[1]) for seed in seeds),
                  key=lambda did: public_key_from_did(did))
    policy = {"threshold": item["threshold"], "signers": dids}
    head = genesis_root(genesis)
    documents = [{"type": EXPORT_TYPE, "version": 1, "genesis": genesis, "genesis_root": head,
                  "receipt_signing_policy": policy}]
    next_roots = []
    for sequence in range(item["receipt_count"]):
        payload = {"sequence": sequence, "amount_minor": 1000 * sequence + 7, "note": "é😂"}
        receipt = {
            "type": "MSEZCorridorStateReceipt", "corridor_id": genesis["corridor_id"],
            "sequence": sequence, "timestamp": _time_at(item["start"], 60 * sequence),
            "prev_root": head, "lawpack_digest_set": genesis["lawpack_digest_set"],
            "ruleset_digest_set": genesis["ruleset_digest_set"],
            "transition": {"kind": "transfer", "payload": payload,
                           "payload_sha256": digest(payload)},
        }
        receipt["next_root"] = receipt_next_root(receipt)
        for seed in seeds:
            receipt = sign_document(receipt, seed, receipt["timestamp"])
        documents.append(receipt)
        head = receipt["next_root"]
        next_roots.append(head)
    if item.get("with_checkpoint"):
        built = mmr_build(next_roots)
        timestamp = _time_at(item["start"], 60 * item["receipt_count"])
        checkpoint = {
            "type": "MSEZCorridorStateCheckpoint", "corridor_id": genesis["corridor_id"],
            "timestamp": timestamp, "genesis_root": documents[0]["genesis_root"],
            "final_state_root": head, "receipt_count": len(next_roots),
            "lawpack_digest_set": genesis["lawpack_digest_set"],
            "ruleset_digest_set": genesis["ruleset_digest_set"],
            "mmr": {"type": "MSEZReceiptMMR", "algorithm": "sha256", "size": len(next_roots),
                    "root": built["root"], "peaks": built["peaks"]},
        }
        for seed in seeds:
            checkpoint = sign_document(checkpoint, seed, timestamp)
        documents.append(checkpoint)
    return {"lines": [canon(document).decode("utf-8") for document in documents]}


# --- Self-test over the public vectors -----------------------------------------------------------

def selftest(vectors_dir: str) -> dict:
    checks = 0
    w3c = os.path.join(vectors_dir, "w3c-eddsa-jcs-2022")

    def read(name, mode="r"):
        with open(os.path.join(w3c, name), mode) as handle:
            return handle.read()

    signed = json.loads(read("signedJCS.json"))
    if canon({k: v for k, v in signed.items() if k != "proof"}) != read("canonDocJCS.txt", "rb"):
        raise OracleError("w3c: canonDocJCS differs")
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    if canon(options) != read("proofCanonJCS.txt", "rb"):
        raise OracleError("w3c: proofCanonJCS differs")
    if [r["valid"] for r in verify_document(signed)] != [True]:
        raise OracleError("w3c: signedJCS.json does not verify")
    key_pair = json.loads(read("keyPair.json"))
    seed = b58decode(key_pair["privateKeyMultibase"][1:])
    if seed[:2] != b"\x80\x26":
        raise OracleError("w3c: private key multicodec is not ed25519-priv")
    unsigned = json.loads(read("unsigned.json"))
    resigned = sign_document(unsigned, seed[2:], signed["proof"]["created"])
    if resigned != signed:
        raise OracleError("w3c: re-signing unsigned.json does not reproduce signedJCS.json")
    checks += 4
    tampered = dict(signed, name="Tampered")
    if verify_document(tampered)[0]["valid"]:
        raise OracleError("w3c: a tampered credential verifies")
    checks += 1
    jcs = os.path.join(vectors_dir, "jcs")
    for name in sorted(os.listdir(os.path.join(jcs, "input"))):
        with open(os.path.join(jcs, "input", name), "rb") as handle:
            value = parse_json(handle.read(), "rfc8785")
        with open(os.path.join(jcs, "output", name), "rb") as handle:
            if canon(value) != handle.read():
                raise OracleError(f"jcs: {name} differs")
        checks += 1
    with open(os.path.join(vectors_dir, "ed25519", "rfc8032.json")) as handle:
        for vector in json.load(handle)["vectors"]:
            private_key, public_key = keypair_from_seed(bytes.fromhex(vector["secret_key"]))
            message = bytes.fromhex(vector["message"])
            if public_key.hex() != vector["public_key"]:
                raise OracleError("rfc8032: public key differs")
            if private_key.sign(message).hex() != vector["signature"]:
                raise OracleError("rfc8032: signature differs")
            verify_strict(public_key, bytes.fromhex(vector["signature"]), message)
            checks += 1
    return {"checks": checks}


# --- Command dispatch ----------------------------------------------------------------------------

def _seed(item):
    seed_hex = item.get("seed_hex")
    if not isinstance(seed_hex, str) or not re.fullmatch(r"[0-9a-f]{64}", seed_hex):
        raise OracleError("seed_hex: not 64 lowercase hex characters")
    return bytes.fromhex(seed_hex)


def _canon_item(item):
    value = parse_json(bytes.fromhex(item["input_hex"]), item.get("profile", "msez"))
    canonical = canon(value)
    return {"canonical_hex": canonical.hex(), "digest": hashlib.sha256(canonical).hexdigest()}


def _key_item(item):
    _, public_key = keypair_from_seed(_seed(item))
    did = did_from_public_key(public_key)
    return {"public_key_hex": public_key.hex(), "did": did,
            "verification_method": f"{did}#{did[len('did:key:'):]}"}


def _mmr_verify_item(item):
    try:
        mmr_verify(item["root"], item["proof"])
        return {"valid": True, "reason": None}
    except OracleError as error:
        return {"valid": False, "reason": str(error)}


COMMANDS = {
    "canon": _canon_item,
    "mmr": lambda item: mmr_build(item["next_roots"]),
    "mmr-verify": _mmr_verify_item,
    "key": _key_item,
    "did-decode": lambda item: {"public_key_hex": public_key_from_did(item["did"]).hex()},
    "sign": lambda item: sign_document(item["document"], _seed(item), item["created"]),
    "verify": lambda item: verify_document(item["document"]),
    "vc-verify": lambda item: vc_verify(item["credential"], item["now"]),
    "receipt-next-root": lambda item: {"next_root": receipt_next_root(item["receipt"])},
    "genesis-root": lambda item: {"genesis_root": genesis_root(item["genesis"])},
    "checkpoint-digest": lambda item: {"digest": checkpoint_digest(item["checkpoint"])},
    "chain-verify": lambda item: chain_verify(item["lines"], item.get("now")),
    "chain-build": chain_build,
    "selftest": lambda item: selftest(item["vectors_dir"]),
}


def run_item(command, item):
    try:
        return {"ok": COMMANDS[command](item)}
    except OracleError as error:
        return {"error": str(error)}
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        return {"error": f"malformed item: {type(error).__name__}: {error}"}


def main(argv) -> int:
    if len(argv) != 2 or argv[1] not in COMMANDS:
        sys.stderr.write(f"usage: oracle.py {{{'|'.join(COMMANDS)}}} < request.json\n")
        return 2
    try:
        request = json.load(sys.stdin)
        items = request["items"]
    except (ValueError, KeyError, TypeError) as error:
        sys.stderr.write(f"oracle: request is not {{\"items\": [...]}}: {error}\n")
        return 2
    results = [run_item(argv[1], item) for item in items]
    json.dump({"results": results}, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
