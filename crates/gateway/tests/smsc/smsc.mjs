// The SMSC the gateway's SMPP tests bind to: node-smpp's server (npm `smpp`, an
// implementation nobody here wrote) on loopback, driven line by line.
//
// Usage: node smsc.mjs SYSTEM_ID PASSWORD
// Prints one JSON object per line on stdout:
//   {"event":"listening","port":N}
//   {"event":"bind","system_id":…,"accepted":bool}
//   {"event":"submit","id":"S1","to":…,"to_ton":…,"to_npi":…,"source":…,"data_coding":…,
//    "udh":"050003…"|null,"text":…,"ussd_service_op":N|null,"registered_delivery":N,
//    "status":N}           (text decoded by node-smpp from data_coding and the header)
//   {"event":"enquire_link"}
//   {"event":"deliver_resp","ref":…,"status":N}
//   {"event":"closed"}
// Reads one JSON command per line on stdin:
//   {"do":"deliver","ref":…,"pdu":{…deliver_sm fields…}}  (short_message as a string)
//   {"do":"throttle","count":N}     the next N submits are answered ESME_RTHROTTLED
//   {"do":"drop_on_submit"}         the next submit goes unanswered and the link is cut
//   {"do":"drop"}                   cut every link now
import smpp from 'smpp';
import readline from 'node:readline';

const [systemId, password] = process.argv.slice(2);
const sessions = new Set();
let submitted = 0;
let throttle = 0;
let dropOnSubmit = false;

const say = (event) => process.stdout.write(JSON.stringify(event) + '\n');

const server = smpp.createServer({ debug: false }, (session) => {
  sessions.add(session);
  session.on('error', () => {});
  session.on('close', () => {
    sessions.delete(session);
    say({ event: 'closed' });
  });
  session.on('bind_transceiver', (pdu) => {
    const accepted = pdu.system_id === systemId && pdu.password === password;
    say({ event: 'bind', system_id: pdu.system_id, interface_version: pdu.interface_version, accepted });
    session.send(pdu.response({ command_status: accepted ? 0 : smpp.ESME_RBINDFAIL }));
    if (!accepted) session.close();
  });
  session.on('enquire_link', (pdu) => {
    say({ event: 'enquire_link' });
    session.send(pdu.response());
  });
  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    session.close();
  });
  session.on('submit_sm', (pdu) => {
    const message = pdu.short_message || {};
    const event = {
      event: 'submit',
      to: pdu.destination_addr,
      to_ton: pdu.dest_addr_ton,
      to_npi: pdu.dest_addr_npi,
      source: pdu.source_addr,
      service_type: pdu.service_type,
      data_coding: pdu.data_coding,
      esm_class: pdu.esm_class,
      udh: message.udh ? Buffer.concat(message.udh).toString('hex') : null,
      text: typeof message.message === 'string' ? message.message : String(message),
      ussd_service_op: pdu.ussd_service_op ?? null,
      registered_delivery: pdu.registered_delivery,
    };
    if (dropOnSubmit) {
      dropOnSubmit = false;
      say({ ...event, status: null });
      session.destroy();
      return;
    }
    if (throttle > 0) {
      throttle -= 1;
      say({ ...event, status: smpp.ESME_RTHROTTLED });
      session.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
      return;
    }
    submitted += 1;
    const id = 'S' + submitted;
    say({ ...event, id, status: 0 });
    session.send(pdu.response({ message_id: id }));
  });
});

server.listen(0, '127.0.0.1', () => say({ event: 'listening', port: server.address().port }));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line);
  switch (command.do) {
    case 'deliver':
      for (const session of sessions) {
        session.deliver_sm(command.pdu, (resp) =>
          say({ event: 'deliver_resp', ref: command.ref, status: resp.command_status }));
      }
      break;
    case 'throttle':
      throttle = command.count;
      break;
    case 'drop_on_submit':
      dropOnSubmit = true;
      break;
    case 'drop':
      for (const session of sessions) session.destroy();
      break;
    default:
      say({ event: 'error', message: 'unknown command ' + command.do });
  }
});
process.stdin.on('end', () => process.exit(0));
