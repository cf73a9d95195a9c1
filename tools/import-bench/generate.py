#!/usr/bin/env python3
"""Writes an import file (see README, "Import"): PLEDGES pledges of EVENTS events each, to stdout.
usage: generate.py PLEDGES EVENTS [PREFIX] > file.ndjson"""
import json, sys, datetime

pledges, events = int(sys.argv[1]), int(sys.argv[2])
prefix = sys.argv[3] if len(sys.argv) > 3 else "bench"
evidence = [{"title": "CICP training report", "url": "https://cicp.org.kh/spotlight-r2p"}]
out = sys.stdout
for p in range(pledges):
    pid = f"{prefix}-{p}"
    line = lambda d: out.write(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n")
    line({"pledgeId": pid, "type": "PledgeRegistered", "occurredOn": "2015-02", "recordedBy": "CICP archive",
          "title": f"Pledge {p}", "quote": "The royal government of Cambodia could seriously consider taking steps",
          "actor": "Royal Government of Cambodia", "country": "KH", "targetDate": "2030",
          "source": {"title": "Cambodia can lead on R2P", "publisher": "Phnom Penh Post"}})
    status, day = "InTheWorks", datetime.date(2015, 3, 1)
    for i in range(1, events):
        on = (day + datetime.timedelta(days=i)).isoformat()
        common = {"pledgeId": pid, "occurredOn": on, "recordedBy": "CICP archive"}
        if i % 3 == 1:
            line({**common, "type": "MilestoneLogged", "milestoneId": f"ms-{i}", "title": f"Step {i}",
                  "description": "Training for students and officials", "evidence": evidence})
        elif i % 3 == 2:
            line({**common, "type": "EvidenceAttached", "milestoneId": f"ms-{i - 1}", "evidence": evidence})
        else:
            line({**common, "type": "StatusAssessed", "status": status, "reason": "Assessed from the record", "evidence": evidence})
            status = "Stalled" if status == "InTheWorks" else "InTheWorks"
